import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// The tests run from extension/out/unit.
const repo = path.join(__dirname, '../../..');
const src = path.join(repo, 'extension/src');
const read = (p: string) => fs.readFileSync(p, 'utf8');

function goConstants(file: string, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of read(path.join(repo, 'protocol', file)).matchAll(new RegExp(`\\b(${prefix}\\w+)\\s*=\\s*"([^"]+)"`, 'g'))) out.set(m[1], m[2]);
  return out;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => d.isDirectory() ? tsFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

test('lsp_ext.ts declares every hearth/* method and command of protocol/methods.go', () => {
  const ext = read(path.join(src, 'lsp_ext.ts'));
  const methods = goConstants('methods.go', 'Method');
  const commands = goConstants('methods.go', 'Command');
  assert.ok(methods.size >= 11 && commands.size >= 5, 'protocol/methods.go parsed');
  for (const [name, value] of [...methods, ...commands]) assert.ok(ext.includes(`'${value}'`), `${name} (${value}) is missing from lsp_ext.ts`);
});

test('no other source file spells a hearth/* method name', () => {
  for (const f of tsFiles(src)) {
    if (f.endsWith('lsp_ext.ts')) continue;
    const hit = /['"`]hearth\/\w+/.exec(read(f));
    assert.equal(hit, null, `${path.relative(repo, f)} spells ${hit?.[0]}`);
  }
});

test('every status field the Go struct sends is declared in the TS mirror', () => {
  const goStatus = read(path.join(repo, 'protocol/status.go'));
  const ext = read(path.join(src, 'lsp_ext.ts'));
  const block = /export interface Status \{([\s\S]*?)\n\}/.exec(ext)![1];
  const structBody = /type Status struct \{([\s\S]*?)\n\}/.exec(goStatus)![1];
  for (const m of structBody.matchAll(/json:"(\w+)"/g)) assert.match(block, new RegExp(`\\b${m[1]}\\??:`), `Status.${m[1]}`);
});
