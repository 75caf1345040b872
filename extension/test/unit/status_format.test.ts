import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gb, kTokens, md, statusView } from '../../src/status_format';
import type { Status } from '../../src/lsp_ext';

const GiB = 1024 ** 3;

function status(over: Partial<Status> = {}): Status {
  return {
    health: 'ok', message: '', busy: false, mode: 'act', loading: false, model: 'qwen2.5-coder:7b', ollamaUrl: 'http://127.0.0.1:11434',
    gpu: { source: 'nvml', devices: [{ name: 'NVIDIA GeForce RTX 3060', totalBytes: 12 * GiB, usedBytes: 9.1 * GiB }] },
    models: [{ name: 'qwen2.5-coder:7b', sizeBytes: 6 * GiB, vramBytes: 4.5 * GiB, contextLength: 16384, expiresAt: '2026-11-26T01:30:00Z' }],
    context: { usedTokens: 5200, limitTokens: 16384, requestedTokens: 16384 },
    headroom: { bytes: 2.9 * GiB, maxContextTokens: 24000 },
    ...over,
  };
}

test('token counts read as k with at most one decimal', () => {
  const cases: [number, string][] = [[0, '0'], [999, '999'], [1000, '1k'], [5200, '5.2k'], [9960, '10k'], [16384, '16k'], [32768, '32k'], [131072, '131k']];
  for (const [n, want] of cases) assert.equal(kTokens(n), want, `kTokens(${n})`);
});

test('bytes read as GB with one decimal', () => {
  assert.equal(gb(0), '0.0');
  assert.equal(gb(12 * GiB), '12.0');
  assert.equal(gb(9.14 * GiB), '9.1');
});

test('a healthy idle status shows GPU memory and context, no colour', () => {
  const v = statusView(status(), 'running');
  assert.equal(v.text, '$(pulse) 9.1/12.0 GB · ctx 5.2k/16k');
  assert.equal(v.background, undefined);
});

test('GPU memory sums over every card', () => {
  const s = status({ gpu: { source: 'nvml', devices: [
    { name: 'a', totalBytes: 12 * GiB, usedBytes: 2 * GiB }, { name: 'b', totalBytes: 8 * GiB, usedBytes: 1.5 * GiB }] } });
  assert.match(statusView(s, 'running').text, /3\.5\/20\.0 GB/);
});

test('without a card size (GPU seen through Ollama only) the used memory stands alone', () => {
  const s = status({ gpu: { source: 'ollama', devices: [{ name: '', totalBytes: 0, usedBytes: 4.8 * GiB }] } });
  const v = statusView(s, 'running');
  assert.equal(v.text, '$(pulse) 4.8 GB · ctx 5.2k/16k');
  assert.match(v.tooltip, /GPU: unknown — 4\.8 GB used \(ollama\)/);
});

test('busy and loading spin, whatever the health', () => {
  assert.match(statusView(status({ busy: true }), 'running').text, /^\$\(loading~spin\) /);
  assert.match(statusView(status({ loading: true, health: 'warning' }), 'running').text, /^\$\(loading~spin\) /);
});

test('health picks the background colour', () => {
  assert.equal(statusView(status({ health: 'warning', message: 'Model spilled to RAM' }), 'running').background, 'statusBarItem.warningBackground');
  assert.equal(statusView(status({ health: 'error', message: 'Ollama is down' }), 'running').background, 'statusBarItem.errorBackground');
});

test('no GPU and no context yet still names Hearth', () => {
  const v = statusView(status({ gpu: { source: 'none', devices: [] }, context: { usedTokens: 0, limitTokens: 0, requestedTokens: 0 } }), 'running');
  assert.equal(v.text, '$(pulse) Hearth');
  assert.match(v.tooltip, /GPU: none found \(none\)/);
});

test('a stopped server is an error state of its own, with the reason', () => {
  const v = statusView(undefined, 'stopped', 'no server for linux-x64');
  assert.match(v.text, /server stopped/);
  assert.equal(v.background, 'statusBarItem.errorBackground');
  assert.match(v.tooltip, /no server for linux-x64/);
  assert.match(v.tooltip, /command:hearth\.restartServer/);
});

test('the tooltip lists GPU, model, VRAM share, context, expiry, headroom, message and command links', () => {
  const t = statusView(status({ health: 'warning', message: 'Context is 90% full' }), 'running').tooltip;
  for (const want of [/\*\*Context is 90% full\*\*/, /NVIDIA GeForce RTX 3060 — 9\.1\/12\.0 GB used \(nvml\)/, /qwen2\.5-coder:7b — 75% in VRAM/,
    /context 16k/, /unloads at 01:30 UTC/, /Headroom: 2\.9 GB free, room for 24k tokens/, /command:hearth\.showLog/,
    /command:hearth\.switchMode/, /command:hearth\.runDoctor/]) {
    assert.match(t, want);
  }
});

test('names from the server cannot inject Markdown links', () => {
  const t = statusView(status({ message: 'bad [x](command:evil)' }), 'running').tooltip;
  assert.ok(!t.includes('[x](command:evil)'));
  assert.equal(md('[a](b)'), '\\[a\\]\\(b\\)');
});
