// The chat webview's entry point: it keeps the ChatModel, feeds every message
// from the host through reduce(), redraws the items that changed, and posts
// what the user does back to the host. It never talks to the server.
import type { FromWebview, ToWebview, AutoApproveState } from '../chat_messages';
import type { Mode, Snapshot } from '../lsp_ext';
import { emptyModel, proposalFiles, reduce, type Action, type ChatModel, type Item } from './chat_model';
import { button, el, icon, renderItem, type Actions } from './render';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): { sessionId?: string } | undefined;
  setState(s: { sessionId?: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const log = $<HTMLElement>('log');
const input = $<HTMLTextAreaElement>('input');
const autoBox = $<HTMLInputElement>('auto-approve');

let model: ChatModel = emptyModel(vscode.getState()?.sessionId);
let mode: Mode = 'act';
const expanded = new Set<string>();
// rendered maps an item key to the item drawn and its element.
const rendered = new Map<string, { item: Item; node: HTMLElement }>();
// stale holds keys whose rows must be redrawn though their item is unchanged.
const stale = new Set<string>();

const post = (m: FromWebview) => vscode.postMessage(m);

const actions: Actions = {
  approve(requestId, approved, feedback) {
    post({ type: 'approve', requestId, approved, ...(feedback.trim() ? { feedback: feedback.trim() } : {}) });
    dispatch({ type: 'answered', requestId, approved });
  },
  viewDiff: (proposalId, uri) => post({ type: 'viewDiff', proposalId, uri }),
  viewApprovalDiff(proposalId) {
    for (const f of proposalFiles(model, proposalId)) post({ type: 'viewDiff', proposalId, uri: f.uri });
  },
  proposal: (accept, proposalId, uri) => post({ type: 'proposal', accept, proposalId, ...(uri ? { uri } : {}) }),
  retry() {
    if (model.lastUserText) send(model.lastUserText);
  },
  toggle(key) {
    if (!expanded.delete(key)) expanded.add(key);
    stale.add(key);
    draw();
    // Keep focus on the toggle so keyboard users stay in place.
    (rendered.get(key)?.node.querySelector('.tool-head') as HTMLElement | null)?.focus();
  },
};

function dispatch(a: Action) {
  const before = model.sessionId;
  model = reduce(model, a);
  if (model.sessionId !== before) vscode.setState({ sessionId: model.sessionId });
  draw();
}

// draw reconciles #log with model.items by key and object identity, so a
// streaming delta redraws only the message it extends.
function draw() {
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const keep = new Set<string>();
  let prev: Node | null = null;
  for (const item of model.items) {
    keep.add(item.key);
    let r = rendered.get(item.key);
    if (!r || r.item !== item || stale.delete(item.key)) {
      const node = renderItem(item, { expanded }, actions);
      node.dataset.key = item.key;
      if (r) r.node.replaceWith(node);
      r = { item, node };
      rendered.set(item.key, r);
    }
    const want: ChildNode | null = prev ? prev.nextSibling : log.firstChild;
    if (want !== r.node) log.insertBefore(r.node, want);
    prev = r.node;
  }
  for (const [key, r] of rendered) if (!keep.has(key)) { r.node.remove(); rendered.delete(key); }
  if (!model.items.length) log.replaceChildren(emptyHint());
  else log.querySelector('.empty')?.remove();
  if (nearBottom) log.scrollTop = log.scrollHeight;
  $('stop').hidden = !model.busy;
  $('usage').textContent = model.usage && model.usage.contextLimit
    ? `ctx ${k(model.usage.contextTokens)}/${k(model.usage.contextLimit)}` : '';
  drawSnapshots(model.snapshots);
}

function emptyHint(): HTMLElement {
  return el('div', { class: 'empty' }, [el('p', { text: 'Ask Hearth about this workspace. Plan reads and answers; Act edits files and runs commands, asking first.' })]);
}

function k(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k` : String(n);
}

function drawSnapshots(snaps: Snapshot[]) {
  $('snapshots-title').textContent = `Snapshots (${snaps.length})`;
  const list = $('snapshot-list');
  list.replaceChildren(...snaps.map((s) => el('li', { class: 'snapshot' }, [
    el('span', { class: 'snap-label', text: s.label || s.id, title: `${s.id} · ${s.files} file(s) · ${s.createdAt}` }),
    el('span', { class: 'snap-time', text: when(s.createdAt) }),
    button('Restore', { class: 'secondary', 'aria-label': `Restore snapshot ${s.label || s.id}` }, () => post({ type: 'restore', snapshotId: s.id }), 'discard'),
  ])));
  if (!snaps.length) list.append(el('li', { class: 'snapshot none', text: 'No snapshots yet.' }));
}

function when(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function send(text: string) {
  if (!text.trim()) return;
  post({ type: 'send', text, mode });
  dispatch({ type: 'sent', text });
}

function setMode(m: Mode, tell: boolean) {
  mode = m;
  for (const b of ['plan', 'act'] as const) $(`mode-${b}`).setAttribute('aria-checked', String(b === m));
  if (tell) post({ type: 'setMode', mode: m });
}

function setSettings(m: Mode, auto: AutoApproveState, serverRunning: boolean) {
  setMode(m, false);
  autoBox.checked = auto.enabled && auto.trusted;
  autoBox.disabled = !auto.trusted;
  $('auto-label').title = auto.trusted ? 'Run Act mode without asking, under the policy below' : 'Auto-approve is off in an untrusted workspace';
  $('policy').textContent = auto.trusted ? `Policy: ${auto.summary}` : 'Auto-approve is unavailable: this workspace is not trusted.';
  const down = $('server-down');
  down.hidden = serverRunning;
  down.textContent = serverRunning ? '' : 'The Hearth server is not running. Run "Hearth: Restart Server" or see "Hearth: Show Server Log".';
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'reset':
      expanded.clear();
      dispatch({ type: 'reset', sessionId: m.sessionId, events: m.events });
      break;
    case 'event':
      dispatch({ type: 'event', event: m.event });
      break;
    case 'snapshots':
      dispatch({ type: 'snapshots', snapshots: m.snapshots });
      break;
    case 'proposalStatus':
      dispatch({ type: 'proposalStatus', proposalId: m.proposalId, uri: m.uri, status: m.status });
      break;
    case 'settings':
      setSettings(m.mode, m.autoApprove, m.serverRunning);
      break;
    case 'notice':
      log.append(el('div', { class: 'note notice', role: 'status' }, [icon('info'), el('span', { text: m.message })]));
      break;
  }
});

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    const text = input.value;
    if (text.trim()) { input.value = ''; send(text); }
  }
});
$('send').addEventListener('click', () => { const t = input.value; input.value = ''; send(t); input.focus(); });
$('stop').addEventListener('click', () => post({ type: 'cancel' }));
$('mode-plan').addEventListener('click', () => setMode('plan', true));
$('mode-act').addEventListener('click', () => setMode('act', true));
$('snapshots-toggle').addEventListener('click', () => {
  const t = $('snapshots-toggle');
  const open = t.getAttribute('aria-expanded') !== 'true';
  t.setAttribute('aria-expanded', String(open));
  t.querySelector('.codicon')!.className = `codicon codicon-chevron-${open ? 'down' : 'right'}`;
  $('snapshot-list').hidden = !open;
  if (open) post({ type: 'refreshSnapshots' });
});
autoBox.addEventListener('change', () => post({ type: 'setAutoApprove', enabled: autoBox.checked }));

draw();
post(model.sessionId ? { type: 'ready', sessionId: model.sessionId } : { type: 'ready' });
