// Diff review: proposed file contents come from the server through a
// read-only hearth-proposal: document, shown against the file in VS Code's
// diff editor, with accept/reject buttons in the editor title.
import * as vscode from 'vscode';
import * as ext from './lsp_ext';
import type { Server } from './server';

export const proposalScheme = 'hearth-proposal';
// emptyQuery marks the empty left side of a diff that creates a file.
const emptyQuery = 'empty';

// proposalUri encodes which proposal and file a diff's right side shows; the
// path keeps the file name so the editor picks the right language.
export function proposalUri(proposalId: string, fileUri: string): vscode.Uri {
  const file = vscode.Uri.parse(fileUri);
  return vscode.Uri.from({ scheme: proposalScheme, path: file.path, query: JSON.stringify({ proposalId, uri: fileUri }) });
}

function parseProposalUri(u: vscode.Uri): ext.ProposalContentParams | undefined {
  if (u.query === emptyQuery) return undefined;
  try {
    const q = JSON.parse(u.query) as ext.ProposalContentParams;
    return q.proposalId && q.uri ? q : undefined;
  } catch {
    return undefined;
  }
}

export function registerProposals(server: Server, onStatus: (args: ext.ProposalCommandArgs, r: ext.ProposalCommandResult) => void): vscode.Disposable {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(u) {
      const p = parseProposalUri(u);
      if (!p) return '';
      const r = await server.request(ext.proposalContent, p, 'show the proposed change');
      return r?.exists ? r.content : '';
    },
  };

  // decide accepts or rejects a whole proposal, one file, or one hunk.
  const decide = async (accept: boolean, args: ext.ProposalCommandArgs) => {
    const r = await decideProposal(server, accept, args);
    if (r) onStatus(args, r);
    return r;
  };
  // fromEditor finds the proposal of the active diff editor's right side.
  const fromEditor = async (accept: boolean, u?: vscode.Uri) => {
    const target = u ?? vscode.window.activeTextEditor?.document.uri;
    const p = target && target.scheme === proposalScheme ? parseProposalUri(target) : undefined;
    if (!p) {
      void vscode.window.showWarningMessage('Hearth: open a proposed change (View diff) first.');
      return;
    }
    if (await decide(accept, { proposalId: p.proposalId, uri: p.uri })) {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  };

  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(proposalScheme, provider),
    vscode.commands.registerCommand('hearth.proposal.accept', (u?: vscode.Uri) => fromEditor(true, u)),
    vscode.commands.registerCommand('hearth.proposal.reject', (u?: vscode.Uri) => fromEditor(false, u)),
  );
}

export async function openProposalDiff(proposalId: string, fileUri: string): Promise<void> {
  let left = vscode.Uri.parse(fileUri);
  try {
    await vscode.workspace.fs.stat(left);
  } catch {
    left = vscode.Uri.from({ scheme: proposalScheme, path: left.path, query: emptyQuery });
  }
  const right = proposalUri(proposalId, fileUri);
  const name = right.path.split('/').pop() ?? left.path;
  await vscode.commands.executeCommand('vscode.diff', left, right, `${name} ↔ Hearth's proposal`, { preview: true });
}

export async function decideProposal(server: Server, accept: boolean, args: ext.ProposalCommandArgs): Promise<ext.ProposalCommandResult | undefined> {
  return server.command<ext.ProposalCommandResult>(accept ? ext.commands.applyProposal : ext.commands.rejectProposal, args, accept ? 'accept the change' : 'reject the change');
}
