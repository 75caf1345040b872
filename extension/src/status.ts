// The status bar item: it renders the server's hearth/status and nothing
// else; every decision about text and colour is in status_format.ts.
import * as vscode from 'vscode';
import type { Status } from './lsp_ext';
import type { Server } from './server';
import { statusView } from './status_format';

export function createStatusItem(server: Server): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('hearth.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'Hearth';
  item.command = 'hearth.showLog';
  let last: Status | undefined;
  const draw = () => {
    const v = statusView(server.state === 'running' ? last : undefined, server.state, server.why);
    item.text = v.text;
    item.backgroundColor = v.background ? new vscode.ThemeColor(v.background) : undefined;
    const tip = new vscode.MarkdownString(v.tooltip, true);
    tip.isTrusted = true;
    item.tooltip = tip;
    item.accessibilityInformation = { label: `Hearth: ${v.text.replace(/\$\([^)]*\)\s*/g, '')}` };
  };
  draw();
  item.show();
  return vscode.Disposable.from(
    item,
    server.onStatus((s) => { last = s; draw(); }),
    server.onDidChangeState((st) => { if (st !== 'running') last = undefined; draw(); }),
  );
}
