// The one place that spells Hearth's custom LSP methods and commands. Each
// interface mirrors a struct of the Go package protocol/ (same JSON names);
// nothing else in the extension names a hearth/* method.
import * as lc from 'vscode-languageclient';

export type Mode = 'plan' | 'act';

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Location { uri: string; range: Range }

export interface ChatParams {
  sessionId?: string;
  text: string;
  mode?: Mode;
  context?: { uris?: string[]; selection?: Location };
}
export interface ChatResult { sessionId: string; turnId: string }

export type EventKind = 'user' | 'text' | 'tool' | 'approval' | 'proposal' | 'snapshot' | 'usage' | 'done' | 'error';
export type ToolStatus = 'running' | 'ok' | 'error' | 'denied';
export type DoneReason = 'completed' | 'cancelled' | 'error' | 'limit' | 'awaitingUser';

export interface ProposalHunk { index: number; range: Range; diff: string; status: string }
export interface ProposalFile { uri: string; diff: string; hunks: ProposalHunk[]; status?: string }

// Event is the params of hearth/event; the fields after kind belong to one
// kind each, as in protocol.Event.
export interface Event {
  sessionId: string;
  turnId: string;
  seq: number;
  kind: EventKind;
  time?: string;
  text?: string;
  delta?: string;
  callId?: string;
  name?: string;
  args?: unknown;
  status?: ToolStatus;
  output?: string;
  summary?: string;
  requestId?: string;
  action?: 'edit' | 'command';
  title?: string;
  diff?: string;
  command?: string;
  proposalId?: string;
  files?: ProposalFile[];
  snapshotId?: string;
  promptTokens?: number;
  completionTokens?: number;
  contextTokens?: number;
  contextLimit?: number;
  reason?: DoneReason;
  message?: string;
  retryable?: boolean;
}

export interface ApproveParams { requestId: string; approved: boolean; feedback?: string }
export interface SessionParams { sessionId: string }
export interface SetModeParams { sessionId: string; mode: Mode }
export interface HistoryResult { events: Event[] }
export interface SessionInfo { id: string; title: string; mode: Mode; updatedAt: string }
export interface SessionsResult { sessions: SessionInfo[] }

export interface Snapshot {
  id: string;
  createdAt: string;
  label: string;
  files: number;
  bytes: number;
  kind?: 'edit' | 'full' | 'restore';
  sessionId?: string;
}
export interface SnapshotsResult { snapshots: Snapshot[] }
export interface RestoreParams { snapshotId: string; paths?: string[] }
export interface RestoreResult {
  restored: number;
  deleted: number;
  safetySnapshotId: string;
  restoredPaths: string[];
  deletedPaths: string[];
}

export interface GPUDevice { name: string; totalBytes: number; usedBytes: number }
export interface LoadedModel { name: string; sizeBytes: number; vramBytes: number; contextLength: number; expiresAt: string }
export type Health = 'ok' | 'warning' | 'error';
export interface Status {
  health: Health;
  message: string;
  busy: boolean;
  mode: Mode;
  gpu: { source: 'nvml' | 'nvidia-smi' | 'ollama' | 'none'; devices: GPUDevice[] };
  models: LoadedModel[];
  context: { usedTokens: number; limitTokens: number; requestedTokens: number };
  headroom: { bytes: number; maxContextTokens: number };
  loading: boolean;
  model: string;
  ollamaUrl: string;
}

export interface ProposalContentParams { proposalId: string; uri: string }
export interface ProposalContentResult { content: string; exists: boolean }

// ProposalCommandArgs are the argument of applyProposal and rejectProposal;
// without uri the whole proposal is meant, without hunk the whole file.
export interface ProposalCommandArgs { proposalId: string; uri?: string; hunk?: number; feedback?: string }
export interface ProposalCommandResult { status: 'pending' | 'accepted' | 'rejected' | 'partial' }
export interface SelectionArgs { uri: string; range: Range }
export interface SaveDocumentsParams { uris: string[] }
export interface SaveDocumentsResult { saved: string[] }

type Empty = Record<string, never>;

export const chat = new lc.RequestType<ChatParams, ChatResult, void>('hearth/chat');
export const event = new lc.NotificationType<Event>('hearth/event');
export const approve = new lc.RequestType<ApproveParams, Empty, void>('hearth/approve');
export const cancel = new lc.RequestType<SessionParams, Empty, void>('hearth/cancel');
export const setMode = new lc.RequestType<SetModeParams, Empty, void>('hearth/setMode');
export const history = new lc.RequestType<SessionParams, HistoryResult, void>('hearth/history');
export const snapshots = new lc.RequestType<Empty, SnapshotsResult, void>('hearth/snapshots');
export const restore = new lc.RequestType<RestoreParams, RestoreResult, void>('hearth/restore');
export const status = new lc.NotificationType<Status>('hearth/status');
export const statusRequest = new lc.RequestType<Empty, Status, void>('hearth/status');
export const proposalContent = new lc.RequestType<ProposalContentParams, ProposalContentResult, void>('hearth/proposalContent');
export const sessions = new lc.RequestType<Empty, SessionsResult, void>('hearth/sessions');
// Server → client: save documents the server just changed through workspace/applyEdit.
export const saveDocuments = new lc.RequestType<SaveDocumentsParams, SaveDocumentsResult, void>('hearth/saveDocuments');

// Server commands, run through workspace/executeCommand.
export const commands = {
  applyProposal: 'hearth.applyProposal',
  rejectProposal: 'hearth.rejectProposal',
  fixDiagnostic: 'hearth.fixDiagnostic',
  explainSelection: 'hearth.explainSelection',
  refactorSelection: 'hearth.refactorSelection',
} as const;
