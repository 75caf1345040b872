// What the status item shows for a hearth/status notification, decided in
// one pure function (no vscode import) so it is unit-tested directly.
import type { Status } from './lsp_ext';

export interface StatusView {
  text: string;
  // background is the theme colour id of the item's background, if any.
  background?: 'statusBarItem.warningBackground' | 'statusBarItem.errorBackground';
  // tooltip is Markdown with command: links; the caller marks it trusted.
  tooltip: string;
}

// The commands the tooltip links to, by the ids package.json declares.
const links = '[Show log](command:hearth.showLog) · [Restart server](command:hearth.restartServer) · [Switch Plan/Act](command:hearth.switchMode) · [Run doctor](command:hearth.runDoctor)';

// statusView renders the server's status, or undefined when the server is not
// running at all; `starting` says the server was started but has not sent
// a status yet.
export function statusView(s: Status | undefined, server: 'running' | 'starting' | 'stopped', serverMessage = ''): StatusView {
  if (server === 'stopped') {
    return {
      text: '$(error) Hearth: server stopped',
      background: 'statusBarItem.errorBackground',
      tooltip: `**The Hearth server is not running.**${serverMessage ? `\n\n${md(serverMessage)}` : ''}\n\n${links}`,
    };
  }
  if (!s) return { text: '$(loading~spin) Hearth: starting', tooltip: `Starting the Hearth server…\n\n${links}` };
  const lead = s.busy || s.loading ? '$(loading~spin)' : s.health === 'error' ? '$(error)' : s.health === 'warning' ? '$(warning)' : '$(pulse)';
  const parts = [gpuText(s), ctxText(s)].filter(Boolean);
  const text = `${lead} ${parts.length ? parts.join(' · ') : 'Hearth'}`;
  switch (s.health) {
    case 'error':
      return { text, background: 'statusBarItem.errorBackground', tooltip: tooltip(s) };
    case 'warning':
      return { text, background: 'statusBarItem.warningBackground', tooltip: tooltip(s) };
    default:
      return { text, tooltip: tooltip(s) };
  }
}

// gb formats bytes in binary gigabytes with one decimal, as nvidia-smi counts
// them, so a 12 GB card shows 12.0.
export function gb(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}

// kTokens formats a token count: 5200 → "5.2k", 16384 → "16k", 900 → "900".
export function kTokens(n: number): string {
  if (n < 1000) return String(n);
  const v = n / 1000;
  return `${v >= 10 ? Math.floor(v) : v.toFixed(1).replace(/\.0$/, '')}k`;
}

function gpuText(s: Status): string {
  const devs = s.gpu?.devices ?? [];
  if (!devs.length) return '';
  const used = devs.reduce((a, d) => a + d.usedBytes, 0);
  const total = devs.reduce((a, d) => a + d.totalBytes, 0);
  // Ollama alone knows what its models use, not the card's size.
  return total > 0 ? `${gb(used)}/${gb(total)} GB` : `${gb(used)} GB`;
}

function ctxText(s: Status): string {
  const c = s.context;
  if (!c || !c.limitTokens) return '';
  return `ctx ${kTokens(c.usedTokens)}/${kTokens(c.limitTokens)}`;
}

function tooltip(s: Status): string {
  const lines: string[] = [];
  if (s.message) lines.push(`**${md(s.message)}**`, '');
  const devs = s.gpu?.devices ?? [];
  for (const d of devs) lines.push(`- GPU: ${md(d.name || 'unknown')} — ${d.totalBytes > 0 ? `${gb(d.usedBytes)}/${gb(d.totalBytes)}` : gb(d.usedBytes)} GB used (${md(s.gpu.source)})`);
  if (!devs.length) lines.push(`- GPU: none found (${md(s.gpu?.source ?? 'none')})`);
  if (s.model) lines.push(`- Model: ${md(s.model)} (${md(s.mode)} mode)`);
  for (const m of s.models ?? []) {
    const pct = m.sizeBytes > 0 ? Math.round((100 * m.vramBytes) / m.sizeBytes) : 0;
    lines.push(`- Loaded: ${md(m.name)} — ${pct}% in VRAM (${gb(m.vramBytes)}/${gb(m.sizeBytes)} GB), context ${kTokens(m.contextLength)}${m.expiresAt ? `, unloads ${md(expiry(m.expiresAt))}` : ''}`);
  }
  if (s.context?.limitTokens) lines.push(`- Context: ${kTokens(s.context.usedTokens)} of ${kTokens(s.context.limitTokens)} tokens allocated${s.context.requestedTokens && s.context.requestedTokens !== s.context.limitTokens ? ` (asked for ${kTokens(s.context.requestedTokens)})` : ''}`);
  if (s.headroom) lines.push(`- Headroom: ${gb(s.headroom.bytes)} GB free${s.headroom.maxContextTokens ? `, room for ${kTokens(s.headroom.maxContextTokens)} tokens of context` : ''}`);
  if (s.ollamaUrl) lines.push(`- Ollama: ${md(s.ollamaUrl)}`);
  lines.push('', links);
  return lines.join('\n');
}

function expiry(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime()) ? iso : `at ${d.toISOString().slice(11, 16)} UTC`;
}

// md escapes text that goes into Markdown so a model name cannot inject links.
export function md(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}
