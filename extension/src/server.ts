// Starts, restarts and stops `hearth serve` through vscode-languageclient and
// fans its notifications out to the views. It is the only holder of the
// LanguageClient; everyone else asks it for a running client.
import * as vscode from 'vscode';
import * as lc from 'vscode-languageclient/node';
import * as ext from './lsp_ext';
import { resolveServerPath } from './server_path';
import { serverPathSetting, serverSettings } from './config';

export type ServerState = 'running' | 'starting' | 'stopped';

export class Server implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Hearth Server');
  private client?: lc.LanguageClient;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly eventEmitter = new vscode.EventEmitter<ext.Event>();
  private readonly statusEmitter = new vscode.EventEmitter<ext.Status>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onEvent = this.eventEmitter.event;
  readonly onStatus = this.statusEmitter.event;
  state: ServerState = 'stopped';
  // why says why the server is stopped, for the status item and warnings.
  why = '';
  // serverPath is the binary started last, which `hearth doctor` reuses.
  serverPath = '';

  constructor(private readonly extensionPath: string) {}

  async start(): Promise<void> {
    const found = resolveServerPath(serverPathSetting(), this.extensionPath);
    if ('error' in found) {
      this.setState('stopped', found.error);
      this.output.appendLine(found.error);
      void vscode.window.showErrorMessage(`Hearth: ${found.error}`);
      return;
    }
    this.serverPath = found.path;
    const run: lc.Executable = { command: found.path, args: ['serve'], transport: lc.TransportKind.stdio };
    const client = new lc.LanguageClient('hearth', 'Hearth', { run, debug: run }, {
      documentSelector: [{ scheme: 'file' }],
      outputChannel: this.output,
      initializationOptions: serverSettings(),
      // Configuration changes are pushed by notifyConfiguration() rather than
      // synchronize.configurationSection, so the untrusted-workspace clamp on
      // auto-approve applies to them too.
    });
    client.onDidChangeState((e) => {
      if (e.newState === lc.State.Running) this.setState('running');
      else if (e.newState === lc.State.Starting) this.setState('starting');
      else this.setState('stopped', 'The server stopped; see the server log.');
    });
    client.onNotification(ext.event, (e) => this.eventEmitter.fire(e));
    client.onNotification(ext.status, (s) => this.statusEmitter.fire(s));
    client.onRequest(ext.saveDocuments, (p) => saveDocuments(p.uris));
    this.client = client;
    this.setState('starting');
    try {
      await client.start();
      const first = await client.sendRequest(ext.statusRequest, {});
      this.statusEmitter.fire(first);
    } catch (err) {
      this.output.appendLine(`Starting ${found.path} failed: ${String(err)}`);
      if (this.state !== 'running') this.setState('stopped', `Starting the server failed: ${String(err)}`);
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      try { await c.stop(); } catch (err) { this.output.appendLine(`Stopping the server: ${String(err)}`); }
      c.dispose();
    }
    this.setState('stopped', 'The server was stopped.');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // running returns the client when the server runs, else tells the user so
  // (once per call) and returns undefined.
  running(what: string): lc.LanguageClient | undefined {
    if (this.client && this.state === 'running') return this.client;
    void vscode.window.showWarningMessage(`Hearth: cannot ${what}: the server is not running. ${this.why}`.trim(), 'Restart Server', 'Show Log')
      .then((pick) => {
        if (pick === 'Restart Server') void this.restart();
        if (pick === 'Show Log') this.output.show();
      });
    return undefined;
  }

  // request sends a request if the server runs; failures are shown, not swallowed.
  async request<P, R>(type: lc.RequestType<P, R, void>, params: P, what: string): Promise<R | undefined> {
    const c = this.running(what);
    if (!c) return undefined;
    try {
      return await c.sendRequest(type, params);
    } catch (err) {
      void vscode.window.showErrorMessage(`Hearth: could not ${what}: ${errorText(err)}`);
      return undefined;
    }
  }

  // command runs a server command through workspace/executeCommand.
  async command<R>(command: string, arg: unknown, what: string): Promise<R | undefined> {
    return this.request(lc.ExecuteCommandRequest.type as unknown as lc.RequestType<lc.ExecuteCommandParams, R, void>, { command, arguments: [arg] }, what);
  }

  notifyConfiguration(): void {
    if (this.client && this.state === 'running') {
      void this.client.sendNotification(lc.DidChangeConfigurationNotification.type, { settings: { hearth: serverSettings() } });
    }
  }

  private setState(s: ServerState, why = '') {
    this.state = s;
    this.why = s === 'stopped' ? why : '';
    this.stateEmitter.fire(s);
  }

  dispose(): void {
    void this.stop();
    this.output.dispose();
    this.stateEmitter.dispose();
    this.eventEmitter.dispose();
    this.statusEmitter.dispose();
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// saveDocuments saves the open documents the server changed through
// workspace/applyEdit, as a user would, so the agent's next command sees the
// change on disk and the editor shows no unsaved changes.
async function saveDocuments(uris: string[]): Promise<ext.SaveDocumentsResult> {
  const saved: string[] = [];
  for (const uri of uris) {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.parse(uri).toString());
    if (doc && (!doc.isDirty || (await doc.save()))) saved.push(uri);
  }
  return { saved };
}
