// The chat's view model and the one reducer that builds it. History replay
// and live streaming both go through reduce(), event by event, so a reloaded
// chat looks exactly like the one that streamed.
import type { Event, ProposalFile, Snapshot, ToolStatus } from '../lsp_ext';

export type Item =
  | { kind: 'user'; key: string; text: string }
  | { kind: 'text'; key: string; turnId: string; text: string }
  | { kind: 'tool'; key: string; callId: string; name: string; args: string; status: ToolStatus; summary: string; output: string }
  | {
      kind: 'approval'; key: string; turnId: string; requestId: string; action: 'edit' | 'command'; title: string;
      diff: string; command: string; proposalId: string;
      // answer is set once the user answered here, or once the turn moved on.
      answer?: 'approved' | 'rejected' | 'settled';
    }
  | { kind: 'proposal'; key: string; proposalId: string; files: ProposalFile[] }
  | { kind: 'snapshot'; key: string; snapshotId: string }
  | { kind: 'done'; key: string; reason: string; summary: string }
  | { kind: 'error'; key: string; message: string; retryable: boolean };

export interface Usage { contextTokens: number; contextLimit: number }

export interface ChatModel {
  sessionId?: string;
  items: Item[];
  busy: boolean;
  // lastUserText is what Retry resends.
  lastUserText: string;
  usage?: Usage;
  snapshots: Snapshot[];
  // lastSeq is the highest seq applied per turn, so an event that arrives
  // both in history and live is applied once (a turn's events come in order).
  lastSeq: ReadonlyMap<string, number>;
}

export type Action =
  | { type: 'reset'; sessionId?: string; events: Event[] }
  | { type: 'event'; event: Event }
  | { type: 'sent'; text: string }
  | { type: 'answered'; requestId: string; approved: boolean }
  | { type: 'proposalStatus'; proposalId: string; uri?: string; status: string }
  | { type: 'snapshots'; snapshots: Snapshot[] };

export function emptyModel(sessionId?: string): ChatModel {
  return { sessionId, items: [], busy: false, lastUserText: '', snapshots: [], lastSeq: new Map() };
}

// reduce never mutates its input: items that change are new objects, so the
// renderer can redraw only those (by identity).
export function reduce(m: ChatModel, a: Action): ChatModel {
  switch (a.type) {
    case 'reset':
      return a.events.reduce((acc, event) => reduce(acc, { type: 'event', event }), { ...emptyModel(a.sessionId), snapshots: m.snapshots });
    case 'event':
      return applyEvent(m, a.event);
    case 'sent':
      return { ...m, busy: true, lastUserText: a.text };
    case 'answered':
      return mapItems(m, (it) => it.kind === 'approval' && it.requestId === a.requestId && !it.answer
        ? { ...it, answer: a.approved ? 'approved' : 'rejected' } : it);
    case 'proposalStatus':
      return mapItems(m, (it) => it.kind === 'proposal' && it.proposalId === a.proposalId
        ? { ...it, files: it.files.map((f) => (!a.uri || f.uri === a.uri ? { ...f, status: fileStatus(a.status) } : f)) } : it);
    case 'snapshots':
      return { ...m, snapshots: a.snapshots };
  }
}

function fileStatus(s: string): string {
  // "partial" is a whole-proposal status; a file that took part of it shows as accepted.
  return s === 'partial' ? 'accepted' : s;
}

function applyEvent(m: ChatModel, e: Event): ChatModel {
  if (m.sessionId && e.sessionId && e.sessionId !== m.sessionId) return m;
  const id = `${e.turnId}/${e.seq}`;
  if (e.seq <= (m.lastSeq.get(e.turnId) ?? -Infinity)) return m;
  const lastSeq = new Map(m.lastSeq).set(e.turnId, e.seq);
  let next: ChatModel = { ...m, lastSeq, sessionId: m.sessionId || e.sessionId || undefined };
  // Any event of a turn after an approval means the turn went on, so the
  // approval was answered (perhaps in another window); usage is chatter.
  if (e.kind !== 'usage' && e.kind !== 'approval' && !(e.kind === 'done' && e.reason === 'awaitingUser')) {
    next = mapItems(next, (it) => it.kind === 'approval' && it.turnId === e.turnId && !it.answer ? { ...it, answer: 'settled' } : it);
  }
  switch (e.kind) {
    case 'user':
      return { ...push(next, { kind: 'user', key: id, text: e.text ?? '' }), busy: true, lastUserText: e.text ?? '' };
    case 'text': {
      const last = next.items[next.items.length - 1];
      if (last && last.kind === 'text' && last.turnId === e.turnId) {
        return replaceAt(next, next.items.length - 1, { ...last, text: last.text + (e.delta ?? '') });
      }
      return push({ ...next, busy: true }, { kind: 'text', key: id, turnId: e.turnId, text: e.delta ?? '' });
    }
    case 'tool': {
      // A call id names one call of a turn; a new call that reuses it (some
      // servers number calls per reply) starts a row of its own.
      const i = findLastIndex(next.items, (it) => it.kind === 'tool' && it.callId === e.callId);
      const prev = next.items[i] as Extract<Item, { kind: 'tool' }> | undefined;
      const reused = prev && e.status === 'running' && (prev.status !== 'running' || (e.name !== undefined && e.name !== prev.name));
      if (i >= 0 && !reused) {
        const old = next.items[i] as Extract<Item, { kind: 'tool' }>;
        return replaceAt(next, i, {
          ...old, status: e.status ?? old.status, summary: e.summary ?? old.summary,
          output: e.output ?? old.output, args: e.args !== undefined ? argsText(e.args) : old.args,
        });
      }
      return push(next, {
        kind: 'tool', key: id, callId: e.callId ?? id, name: e.name ?? 'tool', args: argsText(e.args),
        status: e.status ?? 'running', summary: e.summary ?? '', output: e.output ?? '',
      });
    }
    case 'approval':
      return push(next, {
        kind: 'approval', key: id, turnId: e.turnId, requestId: e.requestId ?? '', action: e.action ?? 'command',
        title: e.title ?? '', diff: e.diff ?? '', command: e.command ?? '', proposalId: e.proposalId ?? '',
      });
    case 'proposal': {
      const i = next.items.findIndex((it) => it.kind === 'proposal' && it.proposalId === e.proposalId);
      const item: Item = { kind: 'proposal', key: i >= 0 ? next.items[i].key : id, proposalId: e.proposalId ?? '', files: e.files ?? [] };
      next = i >= 0 ? replaceAt(next, i, item) : push(next, item);
      // A decided proposal tells how its approval was answered, which
      // history does not otherwise record.
      const decided = item.files.length && item.files.every((f) => f.status === item.files[0].status) ? item.files[0].status : '';
      if (decided !== 'accepted' && decided !== 'rejected') return next;
      return mapItems(next, (it) => it.kind === 'approval' && it.proposalId === item.proposalId && (!it.answer || it.answer === 'settled')
        ? { ...it, answer: decided === 'accepted' ? 'approved' : 'rejected' } : it);
    }
    case 'snapshot':
      return push(next, { kind: 'snapshot', key: id, snapshotId: e.snapshotId ?? '' });
    case 'usage':
      return { ...next, usage: { contextTokens: e.contextTokens ?? 0, contextLimit: e.contextLimit ?? 0 } };
    case 'done':
      return { ...push(next, { kind: 'done', key: id, reason: e.reason ?? 'completed', summary: e.summary ?? '' }), busy: false };
    case 'error':
      return push(next, { kind: 'error', key: id, message: e.message ?? 'unknown error', retryable: e.retryable !== false });
    default:
      return next;
  }
}

// proposalFiles finds the files of a proposal, for an approval card's View diff.
export function proposalFiles(m: ChatModel, proposalId: string): ProposalFile[] {
  for (const it of m.items) if (it.kind === 'proposal' && it.proposalId === proposalId) return it.files;
  return [];
}

function findLastIndex<T>(xs: readonly T[], f: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i])) return i;
  return -1;
}

function argsText(args: unknown): string {
  if (args === undefined || args === null) return '';
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function push(m: ChatModel, it: Item): ChatModel {
  return { ...m, items: [...m.items, it] };
}

function replaceAt(m: ChatModel, i: number, it: Item): ChatModel {
  const items = m.items.slice();
  items[i] = it;
  return { ...m, items };
}

function mapItems(m: ChatModel, f: (it: Item) => Item): ChatModel {
  let changed = false;
  const items = m.items.map((it) => { const n = f(it); if (n !== it) changed = true; return n; });
  return changed ? { ...m, items } : m;
}
