/**
 * HTML of the results webview panel, with a strict Content Security Policy. Pure (no `vscode`
 * import) so it is unit-tested under Node.
 *
 * CSP: nothing by default; images, styles and fonts only from the webview resource origin
 * (`cspSource`, styles also by nonce); scripts only by nonce: no inline handlers, no eval. Chart.js
 * styles its canvas through the CSSOM and @vscode-elements (Lit) uses constructable stylesheets,
 * neither of which needs 'unsafe-inline'.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce: 128 random bits, base64 without padding ('+' and '/' are valid in CSP nonces). */
export function createNonce(): string {
  return randomBytes(16).toString('base64').replace(/=+$/, '');
}

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/webview.css)` as a string. */
  styleUri: string;
  title: string;
  /** Codicons stylesheet (enables icons on the buttons), when shipped. */
  codiconsUri?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** A CSP source or nonce must not be able to close the directive or the attribute. */
function checkToken(name: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`buildWebviewHtml: invalid ${name}`);
  return value;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function buildWebviewHtml(o: WebviewHtmlOptions): string {
  const nonce = checkToken('nonce', o.nonce, /^[A-Za-z0-9+/_-]{16,}={0,2}$/);
  const cspSource = checkToken('cspSource', o.cspSource, /^[^\s;,"<>]+( [^\s;,"<>]+)*$/);
  // Double-quoted attribute values: escaping &, <, > and " is enough (the CSP keeps its 'quotes').
  const attr = (value: string) => value.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
  const codicons = o.codiconsUri ? `\n    <link id="vscode-codicon-stylesheet" rel="stylesheet" nonce="${nonce}" href="${attr(o.codiconsUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(o.title)}</title>
    <link rel="stylesheet" nonce="${nonce}" href="${attr(o.styleUri)}">${codicons}
  </head>
  <body data-state="waiting">
    <main id="app"><p class="waiting">Waiting for a run…</p></main>
    <script nonce="${nonce}" src="${attr(o.scriptUri)}"></script>
  </body>
</html>
`;
}
