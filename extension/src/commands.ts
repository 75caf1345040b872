// The palette commands (category "Hearth"). Each either forwards to the
// server or tells the user plainly why it cannot.
import * as vscode from 'vscode';
import * as ext from './lsp_ext';
import type { Server } from './server';
import { ChatView } from './chat_view';
import { autoApproveState, serverPathSetting, setAutoApprove } from './config';
import { pickSnapshot, restoreSnapshot } from './snapshots';
import { resolveServerPath } from './server_path';

export function registerCommands(ctx: vscode.ExtensionContext, server: Server, chat: ChatView): vscode.Disposable {
  const reg = (id: string, f: (...a: never[]) => unknown) => vscode.commands.registerCommand(id, f);
  return vscode.Disposable.from(
    reg('hearth.newChat', () => chat.newChat()),
    reg('hearth.switchMode', async () => {
      const next: ext.Mode = chat.mode === 'plan' ? 'act' : 'plan';
      await chat.setMode(next);
      void vscode.window.showInformationMessage(`Hearth is in ${next === 'plan' ? 'Plan mode: it reads and answers, and never writes' : 'Act mode: it edits files and runs commands'}.`);
    }),
    reg('hearth.toggleAutoApprove', async () => {
      const on = !autoApproveState().enabled;
      await setAutoApprove(on);
      if (vscode.workspace.isTrusted) void vscode.window.showInformationMessage(`Hearth auto-approve is ${on ? 'on' : 'off'}.`);
    }),
    reg('hearth.restoreSnapshot', async () => {
      const id = await pickSnapshot(server);
      if (id) await restoreSnapshot(server, id);
    }),
    reg('hearth.showLog', () => server.output.show(true)),
    reg('hearth.restartServer', () => server.restart()),
    reg('hearth.runDoctor', () => runDoctor(ctx, server)),
    reg('hearth.explain', () => selectionTurn(server, chat, ext.commands.explainSelection, 'explain the selection')),
    reg('hearth.refactor', () => selectionTurn(server, chat, ext.commands.refactorSelection, 'refactor the selection')),
  );
}

// runDoctor runs `hearth doctor` in a terminal, so its report stays readable
// and the user can rerun it; it needs the binary, not a running server.
function runDoctor(ctx: vscode.ExtensionContext, server: Server): void {
  const found = resolveServerPath(serverPathSetting(), ctx.extensionPath);
  if ('error' in found) {
    void vscode.window.showWarningMessage(`Hearth: cannot run the doctor: ${found.error}`);
    return;
  }
  const term = vscode.window.createTerminal({ name: 'Hearth Doctor', shellPath: found.path, shellArgs: ['doctor'] });
  term.show();
  server.output.appendLine(`Running ${found.path} doctor in the "Hearth Doctor" terminal.`);
}

async function selectionTurn(server: Server, chat: ChatView, command: string, what: string): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed || ed.selection.isEmpty) {
    void vscode.window.showWarningMessage(`Hearth: select some code to ${what.split(' ')[0]} first.`);
    return;
  }
  const s = ed.selection;
  const args: ext.SelectionArgs = {
    uri: ed.document.uri.toString(),
    range: { start: { line: s.start.line, character: s.start.character }, end: { line: s.end.line, character: s.end.character } },
  };
  const r = await server.command<Partial<ext.ChatResult> | null>(command, args, what);
  await vscode.commands.executeCommand(`${ChatView.viewId}.focus`);
  if (r && r.sessionId) await chat.adopt(r.sessionId, true);
}
