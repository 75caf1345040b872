// Messages between the chat webview and the extension host. The webview
// never talks to the server itself: the host forwards these to hearth/*.
import type { Event, Mode, ProposalCommandResult, Snapshot } from './lsp_ext';

// AutoApproveState is what the chat's auto-approve switch shows.
export interface AutoApproveState {
  enabled: boolean;
  // trusted is false in an untrusted workspace, where the switch is disabled.
  trusted: boolean;
  // summary is the policy in one line, e.g. "reads, edits; commands: go test, ls".
  summary: string;
}

export type ToWebview =
  // reset replaces the whole chat with a session's history (empty for a new chat).
  | { type: 'reset'; sessionId?: string; events: Event[] }
  | { type: 'event'; event: Event }
  | { type: 'snapshots'; snapshots: Snapshot[] }
  | { type: 'settings'; mode: Mode; autoApprove: AutoApproveState; serverRunning: boolean }
  | { type: 'proposalStatus'; proposalId: string; uri?: string; status: ProposalCommandResult['status'] }
  | { type: 'notice'; message: string };

export type FromWebview =
  // ready asks for the state; sessionId is the one the webview last showed.
  | { type: 'ready'; sessionId?: string }
  | { type: 'send'; text: string; mode: Mode }
  | { type: 'cancel' }
  | { type: 'setMode'; mode: Mode }
  | { type: 'setAutoApprove'; enabled: boolean }
  | { type: 'approve'; requestId: string; approved: boolean; feedback?: string }
  | { type: 'proposal'; accept: boolean; proposalId: string; uri?: string }
  | { type: 'viewDiff'; proposalId: string; uri: string }
  | { type: 'restore'; snapshotId: string }
  | { type: 'refreshSnapshots' }
  | { type: 'newChat' };
