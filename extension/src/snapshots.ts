// Restoring snapshots, shared by the chat's snapshot list and the
// "Restore Snapshot…" command. The server does the work; this only asks
// and reports, offering to undo through the safety snapshot.
import * as vscode from 'vscode';
import * as ext from './lsp_ext';
import type { Server } from './server';

export async function listSnapshots(server: Server): Promise<ext.Snapshot[] | undefined> {
  return (await server.request(ext.snapshots, {}, 'list snapshots'))?.snapshots;
}

export async function restoreSnapshot(server: Server, snapshotId: string): Promise<ext.RestoreResult | undefined> {
  const r = await server.request(ext.restore, { snapshotId }, 'restore the snapshot');
  if (!r) return undefined;
  const what = `Hearth restored ${r.restored} file(s)${r.deleted ? ` and removed ${r.deleted}` : ''} from snapshot ${snapshotId}.`;
  void vscode.window.showInformationMessage(what, 'Undo').then(async (pick) => {
    if (pick === 'Undo' && r.safetySnapshotId) await restoreSnapshot(server, r.safetySnapshotId);
  });
  return r;
}

// pickSnapshot lets the user choose a snapshot, newest first.
export async function pickSnapshot(server: Server): Promise<string | undefined> {
  const snaps = await listSnapshots(server);
  if (!snaps) return undefined;
  if (!snaps.length) {
    void vscode.window.showInformationMessage('Hearth has taken no snapshots in this workspace yet.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(snaps.map((s) => ({
    label: s.label || s.id,
    description: new Date(s.createdAt).toLocaleString(),
    detail: `${s.files} file(s), ${(s.bytes / 1024).toFixed(1)} KiB${s.kind ? ` · ${s.kind}` : ''} · ${s.id}`,
    id: s.id,
  })), { placeHolder: 'Restore which snapshot? (the current state is snapshotted first)' });
  return pick?.id;
}
