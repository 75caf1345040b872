#!/usr/bin/env node
// Builds dist/hearth-<version>.vsix with @vscode/vsce and checks what went in:
// the bundled server keeps its executable bit, and no sources or
// node_modules slipped in. The server binaries come from the Go build,
// which puts them at bin/<platform>-<arch>/hearth before this runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const out = path.join(root, 'dist', `hearth-${version}.vsix`);

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const bins = fs.existsSync(path.join(root, 'bin'))
  ? fs.readdirSync(path.join(root, 'bin')).filter((d) => fs.existsSync(path.join(root, 'bin', d, 'hearth')) || fs.existsSync(path.join(root, 'bin', d, 'hearth.exe')))
  : [];
if (!bins.length) console.warn('warning: no server under bin/<platform>-<arch>/hearth; the .vsix will need hearth.server.path (build it with the Makefile first)');

fs.mkdirSync(path.dirname(out), { recursive: true });
// vsce runs the vscode:prepublish script (a production build) itself.
run(process.execPath, [path.join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--skip-license', '--out', out]);
fs.copyFileSync(out, path.join(root, 'dist', 'hearth.vsix'));

// Check the contents: `unzip -Z` lists each entry with its Unix mode.
const list = spawnSync('unzip', ['-Z', out], { encoding: 'utf8' });
if (list.status !== 0) { console.error(list.stderr); process.exit(1); }
const lines = list.stdout.split('\n');
const bad = lines.filter((l) => /extension\/(node_modules|extension\/src|\.git)\//.test(l) || /\.ts$|\.map$/.test(l));
if (bad.length) { console.error('unexpected files in the .vsix:\n' + bad.join('\n')); process.exit(1); }
for (const d of bins) {
  const entry = lines.find((l) => l.endsWith(`extension/bin/${d}/hearth`) || l.endsWith(`extension/bin/${d}/hearth.exe`));
  if (!entry) { console.error(`bin/${d}/hearth is missing from the .vsix`); process.exit(1); }
  if (!d.startsWith('win32') && !/^-rwx/.test(entry)) { console.error(`bin/${d}/hearth lost its executable bit in the .vsix: ${entry}`); process.exit(1); }
}
console.log(`${out} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB, ${lines.filter((l) => /^[-d]r/.test(l)).length} entries, servers: ${bins.join(', ') || 'none'})`);
