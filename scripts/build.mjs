#!/usr/bin/env node
// Builds the extension with esbuild: dist/extension.js (the host side, with
// vscode-languageclient bundled in so the .vsix needs no node_modules),
// dist/webview.js (the chat page), and the page's CSS and codicon font.
//   --production  minify (used by vsce through vscode:prepublish)
//   --tests       also build extension/test/unit/*.test.ts to extension/out/unit/
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const prod = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const dist = path.join(root, 'dist');

const common = { bundle: true, sourcemap: !prod, minify: prod, logLevel: 'warning', target: 'es2022' };
await esbuild.build({
  ...common, entryPoints: [path.join(root, 'extension/src/extension.ts')], outfile: path.join(dist, 'extension.js'),
  platform: 'node', format: 'cjs', external: ['vscode'],
});
await esbuild.build({
  ...common, entryPoints: [path.join(root, 'extension/src/webview/main.ts')], outfile: path.join(dist, 'webview.js'),
  platform: 'browser', format: 'iife',
});
fs.copyFileSync(path.join(root, 'media/chat.css'), path.join(dist, 'chat.css'));
const codicons = path.join(root, 'node_modules/@vscode/codicons/dist');
fs.mkdirSync(path.join(dist, 'codicons'), { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join(dist, 'codicons', f));

if (tests) {
  const dir = path.join(root, 'extension/test/unit');
  await esbuild.build({
    ...common, sourcemap: true, entryPoints: fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => path.join(dir, f)),
    outdir: path.join(root, 'extension/out/unit'), platform: 'node', format: 'cjs',
  });
  // The webview test loads the page through the same HTML builder VS Code uses.
  await esbuild.build({
    ...common, entryPoints: [path.join(root, 'extension/src/chat_html.ts')], outfile: path.join(root, 'extension/out/chat_html.js'),
    platform: 'node', format: 'cjs',
  });
}
