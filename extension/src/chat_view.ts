// The host side of the chat webview: it serves the page, forwards the user's
// actions to the server and the server's events to the page, and remembers
// the session so a reopened view rebuilds itself from hearth/history.
import * as vscode from 'vscode';
import * as ext from './lsp_ext';
import type { FromWebview, ToWebview } from './chat_messages';
import { chatHtml } from './chat_html';
import type { Server } from './server';
import { autoApproveState, setAutoApprove } from './config';
import { decideProposal, openProposalDiff } from './proposals';
import { listSnapshots, restoreSnapshot } from './snapshots';

const sessionKey = 'hearth.sessionId';
const modeKey = 'hearth.mode';

export class ChatView implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'hearth.chat';
  private view?: vscode.WebviewView;
  private readonly subs: vscode.Disposable[] = [];
  // startingChat is true while a hearth/chat for a new session is in flight,
  // so that the events it streams before its answer are adopted.
  private startingChat = false;
  // events chains the handling of server events, so that one waiting for
  // history cannot be overtaken by the next (the page drops out-of-order seqs).
  private events: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: vscode.ExtensionContext, private readonly server: Server) {
    this.subs.push(
      server.onEvent((e) => { this.events = this.events.then(() => this.onServerEvent(e)).catch((err) => server.output.appendLine(`chat view: ${String(err)}`)); }),
      server.onDidChangeState((s) => { this.postSettings(); if (s === 'running') void this.reload(); }),
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('hearth.autoApprove')) this.postSettings(); }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.postSettings()),
    );
  }

  get sessionId(): string | undefined {
    return this.ctx.workspaceState.get<string>(sessionKey);
  }

  get mode(): ext.Mode {
    return this.ctx.workspaceState.get<ext.Mode>(modeKey, 'act');
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const dist = vscode.Uri.joinPath(this.ctx.extensionUri, 'dist');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const nonce = [...Array(32)].map(() => Math.floor(Math.random() * 36).toString(36)).join('');
    const uri = (...p: string[]) => view.webview.asWebviewUri(vscode.Uri.joinPath(dist, ...p)).toString();
    view.webview.html = chatHtml({
      cspSource: view.webview.cspSource, nonce,
      scriptUri: uri('webview.js'), styleUri: uri('chat.css'), codiconUri: uri('codicons', 'codicon.css'),
    });
    view.webview.onDidReceiveMessage((m: FromWebview) => void this.onMessage(m), undefined, this.subs);
    view.onDidDispose(() => { if (this.view === view) this.view = undefined; }, undefined, this.subs);
  }

  private post(m: ToWebview): void {
    void this.view?.webview.postMessage(m);
  }

  private postSettings(): void {
    this.post({ type: 'settings', mode: this.mode, autoApprove: autoApproveState(), serverRunning: this.server.state !== 'stopped' });
  }

  // reload rebuilds the page from the server's record of the session.
  private async reload(): Promise<void> {
    if (!this.view) return;
    const id = this.sessionId;
    let events: ext.Event[] = [];
    if (id && this.server.state === 'running') {
      events = (await this.server.request(ext.history, { sessionId: id }, 'load the chat history'))?.events ?? [];
    }
    this.post({ type: 'reset', sessionId: id, events });
    await this.refreshSnapshots(false);
  }

  private async refreshSnapshots(loud: boolean): Promise<void> {
    if (this.server.state !== 'running' && !loud) return;
    const snaps = await listSnapshots(this.server);
    if (snaps) this.post({ type: 'snapshots', snapshots: snaps });
  }

  private async onServerEvent(e: ext.Event): Promise<void> {
    const current = this.sessionId;
    if (!current || (e.sessionId !== current && (this.startingChat || e.kind === 'user'))) {
      // A new session: ours being started, or one a command started
      // (explain, refactor, fix diagnostic), which the chat follows.
      await this.adopt(e.sessionId, !this.startingChat);
    }
    if (e.sessionId !== this.sessionId) return;
    this.post({ type: 'event', event: e });
    if (e.kind === 'snapshot') await this.refreshSnapshots(false);
  }

  // adopt makes id the chat's session, rebuilding the page from history
  // when it is a session this view did not start.
  async adopt(id: string, fromHistory: boolean): Promise<void> {
    if (id === this.sessionId) return;
    await this.ctx.workspaceState.update(sessionKey, id);
    if (!fromHistory) return;
    // A session started elsewhere (a code action, a command) shows in the chat.
    this.view?.show(true);
    await this.reload();
  }

  async newChat(): Promise<void> {
    await this.ctx.workspaceState.update(sessionKey, undefined);
    this.post({ type: 'reset', events: [] });
    await vscode.commands.executeCommand(`${ChatView.viewId}.focus`);
  }

  async setMode(mode: ext.Mode): Promise<void> {
    await this.ctx.workspaceState.update(modeKey, mode);
    this.postSettings();
    const id = this.sessionId;
    if (id && this.server.state === 'running') await this.server.request(ext.setMode, { sessionId: id, mode }, 'switch mode');
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.postSettings();
        if (!this.sessionId && m.sessionId) await this.ctx.workspaceState.update(sessionKey, m.sessionId);
        await this.reload();
        return;
      case 'send': {
        if (m.mode !== this.mode) await this.ctx.workspaceState.update(modeKey, m.mode);
        const id = this.sessionId;
        this.startingChat = !id;
        try {
          const r = await this.server.request(ext.chat, { sessionId: id, text: m.text, mode: m.mode }, 'send the message');
          if (r) await this.adopt(r.sessionId, false);
          else for (const event of localFailure('The message was not sent: the server is not running.', id)) this.post({ type: 'event', event });
        } finally {
          this.startingChat = false;
        }
        return;
      }
      case 'cancel': {
        const id = this.sessionId;
        if (id) await this.server.request(ext.cancel, { sessionId: id }, 'stop the turn');
        return;
      }
      case 'setMode':
        await this.setMode(m.mode);
        return;
      case 'setAutoApprove':
        await setAutoApprove(m.enabled);
        this.postSettings();
        return;
      case 'approve':
        await this.server.request(ext.approve, { requestId: m.requestId, approved: m.approved, feedback: m.feedback }, 'answer the approval');
        return;
      case 'proposal': {
        const args = { proposalId: m.proposalId, uri: m.uri };
        const r = await decideProposal(this.server, m.accept, args);
        if (r) this.post({ type: 'proposalStatus', proposalId: m.proposalId, uri: m.uri, status: r.status });
        return;
      }
      case 'viewDiff':
        await openProposalDiff(m.proposalId, m.uri);
        return;
      case 'restore':
        if (await restoreSnapshot(this.server, m.snapshotId)) await this.refreshSnapshots(true);
        return;
      case 'refreshSnapshots':
        await this.refreshSnapshots(true);
        return;
      case 'newChat':
        await this.newChat();
        return;
    }
  }

  // proposalDecided tells the page about a decision taken elsewhere (the
  // diff editor's title buttons).
  proposalDecided(args: ext.ProposalCommandArgs, r: ext.ProposalCommandResult): void {
    this.post({ type: 'proposalStatus', proposalId: args.proposalId, uri: args.uri, status: r.status });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}

// localFailure is an error and the end of a turn, made on this side for a
// message the server never saw (so the page stops waiting); a turn id of its
// own keeps them apart from the server's events.
function localFailure(message: string, sessionId?: string): ext.Event[] {
  const base = { sessionId: sessionId ?? '', turnId: `local-${Date.now()}` };
  return [{ ...base, seq: 1, kind: 'error', message, retryable: true }, { ...base, seq: 2, kind: 'done', reason: 'error' }];
}
