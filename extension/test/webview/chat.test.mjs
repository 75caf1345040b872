// The chat webview's script in headless Chromium, against a stubbed VS Code
// webview API: acquireVsCodeApi records what the page posts, and the test
// posts host messages into the page as VS Code would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const { chatHtml } = require(path.join(root, 'extension/out/chat_html.js'));
const fixture = JSON.parse(fs.readFileSync(path.join(root, 'extension/test/fixtures/act-session.json'), 'utf8'));
const shots = path.join(root, 'extension/out');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let browser, dir, pageUrl;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-webview-'));
  const dist = pathToFileURL(path.join(root, 'dist')).href;
  // Colours VS Code's dark theme would provide, so the screenshot looks like the real view.
  const theme = `:root{--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-foreground:#ccc;--vscode-sideBar-background:#181818;--vscode-button-background:#0e639c;--vscode-button-foreground:#fff;--vscode-button-secondaryBackground:#3a3d41;--vscode-button-secondaryForeground:#ccc;--vscode-input-background:#313131;--vscode-input-foreground:#ccc;--vscode-textCodeBlock-background:#2a2a2a;--vscode-editorWidget-background:#202020;--vscode-panel-border:#444;--vscode-descriptionForeground:#999;--vscode-focusBorder:#0078d4;--vscode-editor-font-family:monospace;--vscode-inputValidation-errorBackground:#5a1d1d;--vscode-inputValidation-errorBorder:#be1100}`;
  fs.writeFileSync(path.join(dir, 'theme.css'), theme);
  const html = chatHtml({
    cspSource: 'file:', nonce: 'testnonce', scriptUri: `${dist}/webview.js`, styleUri: `${dist}/chat.css`, codiconUri: `${dist}/codicons/codicon.css`,
  }).replace('</head>', `<link rel="stylesheet" href="${pathToFileURL(path.join(dir, 'theme.css')).href}"></head>`);
  fs.writeFileSync(path.join(dir, 'index.html'), html);
  pageUrl = pathToFileURL(path.join(dir, 'index.html')).href;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    // launch() gives Chromium a fresh temporary profile; its other files go under dir.
    env: { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_CACHE_HOME: path.join(dir, 'cache') },
  });
});

after(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// open loads the chat page with a fresh stub and returns helpers around it.
async function open() {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__posted = [];
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => { window.__state = s; },
    });
  });
  await page.goto(pageUrl);
  const send = (m) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
  const posted = () => page.evaluate(() => window.__posted);
  await send({ type: 'settings', mode: 'act', serverRunning: true, autoApprove: { enabled: false, trusted: true, summary: 'reads, edits in the workspace without asking' } });
  await send({ type: 'reset', sessionId: 's-1', events: [] });
  return { page, send, posted, errors };
}

const upTo = (kind, n = 1) => {
  let seen = 0;
  return fixture.events.slice(0, fixture.events.findIndex((e) => e.kind === kind && ++seen === n) + 1);
};

test('the page loads under its CSP and says ready', async () => {
  const { page, posted, errors } = await open();
  assert.deepEqual((await posted())[0], { type: 'ready' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('streamed text renders as Markdown, with model HTML shown as text', async () => {
  const { page, send } = await open();
  for (const event of upTo('text', 2)) await send({ type: 'event', event });
  const msg = page.locator('.msg.assistant .body');
  await msg.getByText('greet.go').waitFor();
  assert.equal(await msg.locator('strong').innerText(), 'greet.go');
  assert.match(await msg.innerText(), /^I will read greet\.go first/);
  for (const event of upTo('text', 4).slice(upTo('text', 2).length)) await send({ type: 'event', event });
  assert.equal(await msg.locator('pre code').innerText(), 'func hello() {}');
  assert.match(await msg.innerText(), /<script>alert\(1\)<\/script>/);
  assert.equal(await page.locator('#log script').count(), 0);
  assert.equal(await page.locator('.msg.assistant').count(), 1, 'deltas extend one message');
  await page.close();
});

test('a tool row collapses and expands, by mouse and keyboard', async () => {
  const { page, send } = await open();
  for (const event of upTo('tool', 2)) await send({ type: 'event', event });
  const head = page.locator('.tool .tool-head');
  assert.equal(await head.getAttribute('aria-expanded'), 'false');
  assert.match(await head.getAttribute('aria-label'), /read_file ok: greet\.go \(5 lines\)/);
  assert.equal(await page.locator('.tool .codicon-pass').count(), 1);
  assert.equal(await page.locator('.tool .tool-body').isVisible(), false);
  await head.click();
  assert.equal(await head.getAttribute('aria-expanded'), 'true');
  assert.match(await page.locator('.tool .tool-body pre.output').innerText(), /func greet\(\) string/);
  await page.keyboard.press('Enter'); // focus stayed on the toggle
  assert.equal(await head.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.locator('.tool .tool-body').isVisible(), false);
  assert.equal(await page.locator('.tool').count(), 1, 'toggling redraws the row in place');
  await page.close();
});

test("an approval card's Approve posts the answer and the card shows it", async () => {
  const { page, send, posted } = await open();
  for (const event of upTo('approval')) await send({ type: 'event', event });
  const card = page.locator('.card.approval');
  assert.match(await card.innerText(), /Edit greet\.go/);
  await card.getByRole('button', { name: 'Approve' }).click();
  assert.deepEqual((await posted()).filter((m) => m.type === 'approve'), [{ type: 'approve', requestId: 'r1', approved: true }]);
  await card.getByText('Approved').waitFor();
  assert.equal(await card.getByRole('button', { name: 'Approve' }).count(), 0);
  await page.close();
});

test('Reject sends the feedback typed into the card; View diff asks for each file', async () => {
  const { page, send, posted } = await open();
  for (const event of upTo('approval')) await send({ type: 'event', event });
  const card = page.locator('.card.approval');
  await card.getByRole('button', { name: 'View diff' }).click();
  await card.getByLabel('Feedback with the answer').fill('keep the old name, add an alias');
  await card.getByRole('button', { name: 'Reject' }).click();
  const got = (await posted()).filter((m) => m.type === 'approve' || m.type === 'viewDiff');
  assert.deepEqual(got, [
    { type: 'viewDiff', proposalId: 'p1', uri: 'file:///ws/greet.go' },
    { type: 'approve', requestId: 'r1', approved: false, feedback: 'keep the old name, add an alias' },
  ]);
  await card.getByText('Rejected').waitFor();
  await page.close();
});

test('proposal cards accept or reject per file and show the outcome', async () => {
  const { page, send, posted } = await open();
  for (const event of upTo('proposal')) await send({ type: 'event', event });
  const card = page.locator('.card.proposal');
  assert.match(await card.innerText(), /greet\.go\s*\+1 −1/);
  await card.getByRole('button', { name: 'Accept changes to greet.go' }).click();
  assert.deepEqual((await posted()).filter((m) => m.type === 'proposal'), [{ type: 'proposal', accept: true, proposalId: 'p1', uri: 'file:///ws/greet.go' }]);
  await send({ type: 'proposalStatus', proposalId: 'p1', uri: 'file:///ws/greet.go', status: 'accepted' });
  await card.locator('.file-status', { hasText: 'accepted' }).waitFor();
  assert.equal(await card.getByRole('button', { name: 'Accept changes to greet.go' }).count(), 0);
  await page.close();
});

test('Enter sends, Shift+Enter makes a new line, and the mode goes with it', async () => {
  const { page, posted } = await open();
  await page.locator('#mode-plan').click();
  await page.locator('#input').click();
  await page.keyboard.type('hello');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('world');
  await page.keyboard.press('Enter');
  const got = (await posted()).filter((m) => m.type === 'send' || m.type === 'setMode');
  assert.deepEqual(got, [{ type: 'setMode', mode: 'plan' }, { type: 'send', text: 'hello\nworld', mode: 'plan' }]);
  assert.equal(await page.locator('#input').inputValue(), '');
  assert.equal(await page.locator('#mode-plan').getAttribute('aria-checked'), 'true');
  assert.equal(await page.locator('#stop').isVisible(), true, 'Stop shows while the turn runs');
  await page.close();
});

test('Tab walks the controls in reading order', async () => {
  const { page, send } = await open();
  for (const event of upTo('approval')) await send({ type: 'event', event });
  await page.evaluate(() => document.activeElement?.blur());
  const order = [];
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const a = document.activeElement;
      return a.id || a.getAttribute('aria-label') || a.textContent.trim();
    }));
  }
  const want = ['mode-plan', 'mode-act', 'auto-approve', 'read_file ok: greet.go (5 lines)', 'View diff of greet.go', 'Accept changes to greet.go',
    'Reject changes to greet.go', 'Feedback with the answer', 'Approve', 'Reject', 'View diff', 'snapshots-toggle', 'input', 'stop', 'send'];
  assert.deepEqual(order.slice(0, want.length), want);
  await page.close();
});

test('history rebuild renders exactly what live streaming rendered', async () => {
  const a = await open();
  for (const event of fixture.events) await a.send({ type: 'event', event });
  const b = await open();
  await b.send({ type: 'reset', sessionId: 's-1', events: fixture.events });
  const logA = await a.page.locator('#log').innerHTML();
  const logB = await b.page.locator('#log').innerHTML();
  assert.ok(logA.length > 1000);
  assert.equal(logB, logA);
  // The webview remembers its session for the next load.
  assert.deepEqual(await b.page.evaluate(() => window.__state), { sessionId: 's-1' });
  await a.page.close();
  await b.page.close();
});

test('errors offer Retry, which resends the last message; Stop shows only while a turn runs', async () => {
  const { page, send, posted } = await open();
  for (const event of upTo('done')) await send({ type: 'event', event });
  assert.equal(await page.locator('#stop').isVisible(), false);
  for (const event of fixture.events.slice(upTo('done').length)) await send({ type: 'event', event });
  assert.equal(await page.locator('#stop').isVisible(), true);
  await page.locator('.error-card').getByRole('button', { name: 'Retry the last message' }).click();
  assert.deepEqual((await posted()).filter((m) => m.type === 'send'), [{ type: 'send', text: 'Run the tests', mode: 'act' }]);
  await page.close();
});

test('snapshots list and restore; auto-approve posts and is locked when untrusted', async () => {
  const { page, send, posted } = await open();
  await send({ type: 'snapshots', snapshots: [{ id: 'snap-1', createdAt: '2026-11-26T01:00:00Z', label: 'before edit_file greet.go', files: 1, bytes: 60 }] });
  await page.locator('#snapshots-toggle').click();
  await page.getByRole('button', { name: 'Restore snapshot before edit_file greet.go' }).click();
  await page.locator('#auto-approve').check();
  const got = (await posted()).filter((m) => ['restore', 'refreshSnapshots', 'setAutoApprove'].includes(m.type));
  assert.deepEqual(got, [{ type: 'refreshSnapshots' }, { type: 'restore', snapshotId: 'snap-1' }, { type: 'setAutoApprove', enabled: true }]);
  await send({ type: 'settings', mode: 'act', serverRunning: false, autoApprove: { enabled: true, trusted: false, summary: 'x' } });
  assert.equal(await page.locator('#auto-approve').isDisabled(), true);
  assert.equal(await page.locator('#auto-approve').isChecked(), false);
  assert.match(await page.locator('#policy').innerText(), /not trusted/);
  assert.match(await page.locator('#server-down').innerText(), /not running/);
  await page.close();
});

test('screenshot of a full session', async () => {
  const { page, send } = await open();
  await send({ type: 'snapshots', snapshots: [{ id: 'snap-1', createdAt: '2026-11-26T01:00:00Z', label: 'before edit_file greet.go', files: 1, bytes: 60 }] });
  const cut = fixture.events.findIndex((e) => e.kind === 'snapshot');
  for (const event of fixture.events.slice(0, cut)) await send({ type: 'event', event });
  await page.locator('.tool .tool-head').first().click();
  fs.mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, 'webview-chat.png') });
  assert.ok(fs.statSync(path.join(shots, 'webview-chat.png')).size > 10000);
  await page.close();
});
