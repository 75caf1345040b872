// Turns one chat item into DOM. Text goes in through textContent, and the
// only HTML string used is renderMarkdown's, which escapes everything.
import type { Item } from './chat_model';
import type { ProposalFile } from '../lsp_ext';
import { renderMarkdown } from './markdown';

// Actions are what the rendered buttons do; main.ts wires them to postMessage.
export interface Actions {
  approve(requestId: string, approved: boolean, feedback: string): void;
  viewDiff(proposalId: string, uri: string): void;
  viewApprovalDiff(proposalId: string): void;
  proposal(accept: boolean, proposalId: string, uri?: string): void;
  retry(): void;
  toggle(key: string): void;
}

// UiState is view-only state that must survive redraws.
export interface UiState { expanded: ReadonlySet<string> }

const toolIcons: Record<string, string> = { running: 'loading codicon-modifier-spin', ok: 'pass', error: 'error', denied: 'circle-slash' };

export function renderItem(it: Item, ui: UiState, act: Actions): HTMLElement {
  switch (it.kind) {
    case 'user':
      return el('div', { class: 'msg user' }, [el('div', { class: 'body', text: it.text })]);
    case 'text': {
      const body = el('div', { class: 'body markdown' });
      body.innerHTML = renderMarkdown(it.text);
      return el('div', { class: 'msg assistant' }, [body]);
    }
    case 'tool': {
      const open = ui.expanded.has(it.key);
      const id = `tool-${cssId(it.key)}`;
      const head = button(`${it.name}${it.summary ? ' — ' + it.summary : ''}`, {
        class: 'tool-head', 'aria-expanded': String(open), 'aria-controls': id,
        'aria-label': `${it.name} ${it.status}${it.summary ? ': ' + it.summary : ''}`,
      }, () => act.toggle(it.key), `chevron-${open ? 'down' : 'right'}`);
      head.append(icon(toolIcons[it.status] ?? 'circle-outline', `status ${it.status}`));
      const body = el('div', { class: 'tool-body', id }, [
        ...(it.args ? [el('pre', { class: 'args', text: it.args })] : []),
        ...(it.output ? [el('pre', { class: 'output', text: it.output })] : []),
      ]);
      body.hidden = !open;
      return el('div', { class: `tool ${it.status}` }, [head, body]);
    }
    case 'approval':
      return approvalCard(it, act);
    case 'proposal':
      return proposalCard(it, act);
    case 'snapshot':
      return el('div', { class: 'note' }, [icon('history'), el('span', { text: `Snapshot ${it.snapshotId} taken before the change` })]);
    case 'done': {
      const label = { completed: 'Done', cancelled: 'Cancelled', error: 'Stopped after an error', limit: 'Stopped at a limit', awaitingUser: 'Waiting for you' }[it.reason] ?? it.reason;
      return el('div', { class: `note done ${it.reason}` }, [icon(it.reason === 'completed' ? 'check' : 'info'), el('span', { text: it.summary ? `${label}: ${it.summary}` : label })]);
    }
    case 'error':
      return el('div', { class: 'error-card', role: 'alert' }, [
        icon('error'), el('span', { class: 'message', text: it.message }),
        ...(it.retryable ? [button('Retry', { class: 'secondary', 'aria-label': 'Retry the last message' }, () => act.retry(), 'refresh')] : []),
      ]);
  }
}

function approvalCard(it: Extract<Item, { kind: 'approval' }>, act: Actions): HTMLElement {
  const card = el('div', { class: 'card approval', role: 'group', 'aria-label': `Approval: ${it.title}` }, [
    el('div', { class: 'card-title' }, [icon(it.action === 'edit' ? 'edit' : 'terminal'), el('span', { text: it.title })]),
  ]);
  if (it.command) card.append(el('pre', { class: 'command', text: it.command }));
  if (it.diff) card.append(el('pre', { class: 'diff', text: it.diff }));
  if (it.answer) {
    const text = { approved: 'Approved', rejected: 'Rejected', settled: 'Answered' }[it.answer];
    card.append(el('div', { class: `answer ${it.answer}`, text }));
    return card;
  }
  const feedback = el('input', { type: 'text', class: 'feedback', placeholder: 'Feedback for the model (optional)', 'aria-label': 'Feedback with the answer' }) as HTMLInputElement;
  const row = el('div', { class: 'buttons' }, [
    button('Approve', { class: 'approve' }, () => act.approve(it.requestId, true, feedback.value), 'check'),
    button('Reject', { class: 'reject secondary' }, () => act.approve(it.requestId, false, feedback.value), 'close'),
  ]);
  if (it.action === 'edit' && it.proposalId) row.append(button('View diff', { class: 'secondary' }, () => act.viewApprovalDiff(it.proposalId), 'diff'));
  card.append(feedback, row);
  return card;
}

function proposalCard(it: Extract<Item, { kind: 'proposal' }>, act: Actions): HTMLElement {
  const card = el('div', { class: 'card proposal', role: 'group', 'aria-label': `Proposed changes to ${it.files.length} file(s)` }, [
    el('div', { class: 'card-title' }, [icon('git-pull-request'), el('span', { text: `Proposed changes (${it.files.length} file${it.files.length === 1 ? '' : 's'})` })]),
  ]);
  const list = el('ul', { class: 'files' });
  for (const f of it.files) list.append(fileRow(it.proposalId, f, act));
  card.append(list);
  if (it.files.length > 1 && it.files.some((f) => pending(f))) {
    card.append(el('div', { class: 'buttons' }, [
      button('Accept all', { class: 'approve' }, () => act.proposal(true, it.proposalId), 'check-all'),
      button('Reject all', { class: 'secondary' }, () => act.proposal(false, it.proposalId), 'close-all'),
    ]));
  }
  return card;
}

function fileRow(proposalId: string, f: ProposalFile, act: Actions): HTMLElement {
  const name = fileName(f.uri);
  const row = el('li', { class: `file ${f.status ?? 'pending'}` }, [
    el('span', { class: 'file-name', text: name, title: f.uri }),
    el('span', { class: 'file-stat', text: diffStat(f.diff) }),
  ]);
  const buttons = el('span', { class: 'buttons' }, [button('View diff', { class: 'secondary icon-only', 'aria-label': `View diff of ${name}` }, () => act.viewDiff(proposalId, f.uri), 'diff')]);
  if (pending(f)) {
    buttons.append(
      button('Accept', { class: 'approve icon-only', 'aria-label': `Accept changes to ${name}` }, () => act.proposal(true, proposalId, f.uri), 'check'),
      button('Reject', { class: 'secondary icon-only', 'aria-label': `Reject changes to ${name}` }, () => act.proposal(false, proposalId, f.uri), 'close'),
    );
  } else {
    buttons.append(el('span', { class: 'file-status', text: f.status ?? '' }));
  }
  row.append(buttons);
  return row;
}

function pending(f: ProposalFile): boolean {
  return !f.status || f.status === 'pending';
}

export function fileName(uri: string): string {
  const path = decodeURIComponent(uri.replace(/^file:\/\//, ''));
  return path.split('/').filter(Boolean).pop() ?? path;
}

// diffStat counts added and removed lines of a unified diff, for display only.
function diffStat(diff: string): string {
  let add = 0, del = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+') && !l.startsWith('+++')) add++;
    else if (l.startsWith('-') && !l.startsWith('---')) del++;
  }
  return `+${add} −${del}`;
}

function cssId(key: string): string {
  return key.replace(/[^\w-]/g, '_');
}

export function icon(name: string, label?: string): HTMLElement {
  const i = el('span', { class: `codicon codicon-${name}` });
  if (label) { i.setAttribute('role', 'img'); i.setAttribute('aria-label', label); } else i.setAttribute('aria-hidden', 'true');
  return i;
}

export function button(text: string, attrs: Record<string, string>, onClick: () => void, iconName?: string): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }) as HTMLButtonElement;
  if (iconName) b.append(icon(iconName));
  b.append(el('span', { class: 'label', text }));
  b.addEventListener('click', onClick);
  return b;
}

export function el(tag: string, attrs: Record<string, string> = {}, children: Node[] = []): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
}
