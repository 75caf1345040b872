import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { emptyModel, reduce, type ChatModel, type Item } from '../../src/webview/chat_model';
import type { Event } from '../../src/lsp_ext';

// The tests run from extension/out/unit; the fixture lives beside the sources.
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../test/fixtures/act-session.json'), 'utf8')) as { sessionId: string; events: Event[] };

function live(events: Event[]): ChatModel {
  return events.reduce((m, event) => reduce(m, { type: 'event', event }), emptyModel());
}

// shape drops keys, which depend on the first event of an item, to compare what is shown.
function shape(m: ChatModel) {
  return m.items.map(({ key: _k, ...rest }) => rest);
}

test('a streamed session becomes the items a user sees, in order', () => {
  const m = live(fixture.events);
  assert.deepEqual(m.items.map((i) => i.kind), ['user', 'text', 'tool', 'proposal', 'approval', 'snapshot', 'tool', 'text', 'done', 'user', 'tool', 'approval', 'error']);
  const text = m.items[1] as Extract<Item, { kind: 'text' }>;
  assert.equal(text.text, 'I will read **greet.go** first, then `edit` it.\n\n```go\nfunc hello() {}\n```\n<script>alert(1)</script>');
  const tool = m.items[2] as Extract<Item, { kind: 'tool' }>;
  assert.deepEqual([tool.status, tool.summary, tool.args], ['ok', 'greet.go (5 lines)', '{"path":"greet.go"}']);
  assert.match(tool.output, /func greet/);
  assert.equal(m.sessionId, 's-1');
  assert.deepEqual(m.usage, { contextTokens: 5200, contextLimit: 16384 });
  assert.equal(m.lastUserText, 'Run the tests');
  assert.equal(m.busy, true, 'the second turn has not sent done');
});

test('history replay renders the same as live streaming, and overlapping events apply once', () => {
  const streamed = live(fixture.events);
  const replayed = reduce(emptyModel(), { type: 'reset', sessionId: 's-1', events: fixture.events });
  assert.deepEqual(shape(replayed), shape(streamed));
  // History arrives, then live events that history already held.
  const overlapped = fixture.events.slice(10).reduce((m, event) => reduce(m, { type: 'event', event }), replayed);
  assert.deepEqual(shape(overlapped), shape(streamed));
});

test('an approval settles once its turn moves on, and stays pending while it waits', () => {
  const events = fixture.events;
  const i = events.findIndex((e) => e.kind === 'approval');
  const waiting = live(events.slice(0, i + 1));
  const card = waiting.items.find((it) => it.kind === 'approval') as Extract<Item, { kind: 'approval' }>;
  assert.equal(card.answer, undefined);
  const awaiting = reduce(waiting, { type: 'event', event: { sessionId: 's-1', turnId: 't-1', seq: 99, kind: 'done', reason: 'awaitingUser' } });
  assert.equal((awaiting.items.find((it) => it.kind === 'approval') as Extract<Item, { kind: 'approval' }>).answer, undefined);
  const moved = live(events.slice(0, i + 2));
  assert.equal((moved.items.find((it) => it.kind === 'approval') as Extract<Item, { kind: 'approval' }>).answer, 'settled');
});

test('answering a card marks it and leaves other items untouched (same objects)', () => {
  const i = fixture.events.findIndex((e) => e.kind === 'approval');
  const before = live(fixture.events.slice(0, i + 1));
  const after = reduce(before, { type: 'answered', requestId: 'r1', approved: false });
  const idx = after.items.findIndex((it) => it.kind === 'approval');
  assert.equal((after.items[idx] as Extract<Item, { kind: 'approval' }>).answer, 'rejected');
  after.items.forEach((it, j) => { if (j !== idx) assert.equal(it, before.items[j]); });
});

test('a text delta replaces only the message it extends', () => {
  const m1 = live(fixture.events.slice(0, 3));
  const m2 = reduce(m1, { type: 'event', event: fixture.events[3] });
  assert.equal(m2.items[0], m1.items[0]);
  assert.notEqual(m2.items[1], m1.items[1]);
});

test('proposal decisions update the file status; a later proposal event replaces the card', () => {
  const m = live(fixture.events);
  const accepted = reduce(m, { type: 'proposalStatus', proposalId: 'p1', uri: 'file:///ws/greet.go', status: 'accepted' });
  const card = accepted.items.find((it) => it.kind === 'proposal') as Extract<Item, { kind: 'proposal' }>;
  assert.equal(card.files[0].status, 'accepted');
  const p = fixture.events.find((e) => e.kind === 'proposal')!;
  const again = reduce(m, { type: 'event', event: { ...p, seq: 100, turnId: 't-1', files: [{ ...p.files![0], status: 'rejected' }] } });
  const cards = again.items.filter((it) => it.kind === 'proposal') as Extract<Item, { kind: 'proposal' }>[];
  assert.equal(cards.length, 1);
  assert.equal(cards[0].files[0].status, 'rejected');
});

test('events of another session are ignored; errors default to retryable', () => {
  const m = live(fixture.events.slice(0, 2));
  const other = reduce(m, { type: 'event', event: { sessionId: 's-2', turnId: 'x', seq: 1, kind: 'text', delta: 'nope' } });
  assert.equal(other, m);
  const err = reduce(m, { type: 'event', event: { sessionId: 's-1', turnId: 't-1', seq: 50, kind: 'error', message: 'boom' } });
  assert.deepEqual(err.items.at(-1), { kind: 'error', key: 't-1/50', message: 'boom', retryable: true });
  const done = reduce(err, { type: 'event', event: { sessionId: 's-1', turnId: 't-1', seq: 51, kind: 'done', reason: 'error' } });
  assert.equal(done.busy, false);
});

test('a reused call id starts a new tool row once the earlier call finished', () => {
  const ev = (seq: number, extra: Partial<Event>): Event => ({ sessionId: 's', turnId: 't', seq, kind: 'tool', callId: 'call_0', ...extra });
  const m = live([
    ev(1, { name: 'read_file', status: 'running' }), ev(2, { name: 'read_file', status: 'ok', summary: 'read' }),
    ev(3, { name: 'edit_file', status: 'running' }), ev(4, { name: 'edit_file', status: 'error', summary: 'cancelled' }),
  ]);
  const tools = m.items as Extract<Item, { kind: 'tool' }>[];
  assert.deepEqual(tools.map((t) => [t.name, t.status, t.summary]), [['read_file', 'ok', 'read'], ['edit_file', 'error', 'cancelled']]);
});

test('an approval whose proposal was later accepted or rejected reads as approved or rejected', () => {
  const p = fixture.events.find((e) => e.kind === 'proposal')!;
  for (const [status, want] of [['accepted', 'approved'], ['rejected', 'rejected'], ['pending', 'settled']] as const) {
    const m = reduce(live(fixture.events), { type: 'event', event: { ...p, seq: 100, files: [{ ...p.files![0], status }] } });
    const card = m.items.find((it) => it.kind === 'approval') as Extract<Item, { kind: 'approval' }>;
    assert.equal(card.answer, want, status);
  }
});
