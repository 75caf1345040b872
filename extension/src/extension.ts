// Hearth's VS Code extension: a thin shell around `hearth serve`. It starts
// the server, renders what it sends and forwards what the user does; it
// never calls the model, computes a diff or runs the agent loop.
import * as vscode from 'vscode';
import { Server } from './server';
import { ChatView } from './chat_view';
import { createStatusItem } from './status';
import { registerProposals } from './proposals';
import { registerCommands } from './commands';
import { affectsHearth } from './config';

let server: Server | undefined;

export function activate(ctx: vscode.ExtensionContext): void {
  server = new Server(ctx.extensionPath);
  const chat = new ChatView(ctx, server);
  ctx.subscriptions.push(
    server,
    chat,
    vscode.window.registerWebviewViewProvider(ChatView.viewId, chat),
    createStatusItem(server),
    registerProposals(server, (args, r) => chat.proposalDecided(args, r)),
    registerCommands(ctx, server, chat),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('hearth.server.path')) void server?.restart();
      else if (affectsHearth(e)) server?.notifyConfiguration();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => server?.notifyConfiguration()),
  );
  // Activation does not wait for the server: the status item shows it starting.
  void server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}
