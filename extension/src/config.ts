// Reads the hearth settings the server gets, with the workspace-trust rule
// applied: in an untrusted workspace auto-approve is always off.
import * as vscode from 'vscode';
import type { AutoApproveState } from './chat_messages';

const section = 'hearth';

// serverSettings is the hearth section as a plain object, as the server's
// settings.Parse reads it (initializationOptions and didChangeConfiguration).
export function serverSettings(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(section))) as Record<string, unknown>;
  if (!vscode.workspace.isTrusted) {
    const auto = (plain.autoApprove ?? {}) as Record<string, unknown>;
    plain.autoApprove = { ...auto, enabled: false };
  }
  return plain;
}

export function serverPathSetting(): string {
  return vscode.workspace.getConfiguration(section).get<string>('server.path', '');
}

export function autoApproveState(): AutoApproveState {
  const c = vscode.workspace.getConfiguration(`${section}.autoApprove`);
  const trusted = vscode.workspace.isTrusted;
  const what = [c.get<boolean>('reads', true) && 'reads', c.get<boolean>('edits', true) && 'edits in the workspace'].filter(Boolean);
  if (c.get<boolean>('commands', false)) {
    const allow = c.get<string[]>('allowCommands', []);
    what.push(`commands: ${allow.length ? allow.join(', ') : 'none allowed'}`);
  }
  const limits = `≤${c.get<number>('maxSteps', 40)} steps, ${c.get<string>('maxDuration', '20m')}`;
  return {
    enabled: trusted && c.get<boolean>('enabled', false),
    trusted,
    summary: `${what.length ? what.join(', ') : 'nothing'} without asking; ${limits}; the deny-list always applies.`,
  };
}

// setAutoApprove writes the user's choice where it takes effect: the
// workspace's settings when the workspace sets it, else the user's.
export async function setAutoApprove(enabled: boolean): Promise<void> {
  if (enabled && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Hearth: auto-approve cannot be turned on in an untrusted workspace.');
    return;
  }
  const c = vscode.workspace.getConfiguration(section);
  const i = c.inspect<boolean>('autoApprove.enabled');
  const target = i?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
    : i?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await c.update('autoApprove.enabled', enabled, target);
}

export function affectsHearth(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(section);
}
