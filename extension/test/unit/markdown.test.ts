import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderMarkdown } from '../../src/webview/markdown';

test('HTML in model output is escaped, never rendered', () => {
  const cases = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '**<b>x</b>**', '`<i>`', '[x](javascript:alert(1))', '"quoted" & \'single\''];
  for (const src of cases) {
    const html = renderMarkdown(src);
    assert.ok(!/<(script|img|b|i)[\s>]/.test(html), `${src} → ${html}`);
    assert.ok(!html.includes('javascript:alert(1)"'), `${src} → ${html}`);
  }
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('blocks: paragraphs, headings, lists and fenced code', () => {
  const cases: [string, string][] = [
    ['hello\nworld', '<p>hello<br>world</p>'],
    ['a\n\nb', '<p>a</p><p>b</p>'],
    ['# Plan', '<h3>Plan</h3>'],
    ['- one\n- two', '<ul><li>one</li><li>two</li></ul>'],
    ['1. first\n2. second', '<ol><li>first</li><li>second</li></ol>'],
    ['```go\nif a < b {}\n```', '<pre class="code" data-lang="go"><code>if a &lt; b {}</code></pre>'],
    // A fence still streaming renders as code so far.
    ['```\npartial', '<pre class="code"><code>partial</code></pre>'],
  ];
  for (const [src, want] of cases) assert.equal(renderMarkdown(src), want, JSON.stringify(src));
});

test('inline: code, bold, italics and http links', () => {
  const cases: [string, string][] = [
    ['use `a*b*c` here', '<p>use <code>a*b*c</code> here</p>'],
    ['**bold** and *it*', '<p><strong>bold</strong> and <em>it</em></p>'],
    ['snake_case_name stays', '<p>snake_case_name stays</p>'],
    ['see [docs](https://example.com/a?b=1&c=2)', '<p>see <a href="https://example.com/a?b=1&amp;c=2">docs</a></p>'],
    ['[x](ftp://host)', '<p>[x](ftp://host)</p>'],
  ];
  for (const [src, want] of cases) assert.equal(renderMarkdown(src), want, JSON.stringify(src));
});
