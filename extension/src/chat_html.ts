// The chat webview's HTML, kept free of the vscode module so that the
// headless-browser test loads exactly the page VS Code shows.

export interface ChatHtmlParams {
  // cspSource is webview.cspSource: the origin the webview's resources load from.
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
}

export function chatHtml(p: ChatHtmlParams): string {
  const csp = [
    "default-src 'none'",
    `style-src ${p.cspSource}`,
    `font-src ${p.cspSource}`,
    `img-src ${p.cspSource} data:`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${p.codiconUri}">
<link rel="stylesheet" href="${p.styleUri}">
<title>Hearth</title>
</head>
<body>
<div id="app">
  <header class="toolbar">
    <div class="modes" role="radiogroup" aria-label="Mode">
      <button type="button" id="mode-plan" role="radio" aria-checked="false" title="Plan: read the workspace and answer with a plan; never writes">Plan</button>
      <button type="button" id="mode-act" role="radio" aria-checked="true" title="Act: edit files and run commands, with your approval">Act</button>
    </div>
    <label class="auto" id="auto-label">
      <input type="checkbox" id="auto-approve" role="switch" aria-describedby="policy">
      <span>Auto-approve</span>
    </label>
  </header>
  <div id="policy" class="policy"></div>
  <div id="server-down" class="banner" role="alert" hidden></div>
  <main id="log" role="log" aria-live="polite" aria-label="Conversation" tabindex="-1"></main>
  <section id="snapshots" aria-labelledby="snapshots-toggle">
    <button type="button" id="snapshots-toggle" class="section-toggle" aria-expanded="false" aria-controls="snapshot-list">
      <span class="codicon codicon-chevron-right" aria-hidden="true"></span><span id="snapshots-title">Snapshots</span>
    </button>
    <ul id="snapshot-list" hidden></ul>
  </section>
  <footer class="composer">
    <textarea id="input" rows="3" aria-label="Message to Hearth" placeholder="Ask Hearth… (Enter to send, Shift+Enter for a new line)"></textarea>
    <div class="composer-row">
      <span id="usage" class="usage" aria-label="Context used"></span>
      <button type="button" id="stop" class="secondary" aria-label="Stop the running turn" hidden><span class="codicon codicon-debug-stop" aria-hidden="true"></span> Stop</button>
      <button type="button" id="send" aria-label="Send message"><span class="codicon codicon-send" aria-hidden="true"></span> Send</button>
    </div>
  </footer>
</div>
<script nonce="${p.nonce}" src="${p.scriptUri}"></script>
</body>
</html>`;
}
