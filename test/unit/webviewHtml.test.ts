import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildWebviewHtml, contentSecurityPolicy, createNonce, escapeHtml } from '../../src/extension/webviewHtml';

const CSP_SOURCE = 'https://*.vscode-cdn.net';

function page(overrides: Partial<Parameters<typeof buildWebviewHtml>[0]> = {}) {
  const nonce = overrides.nonce ?? createNonce();
  const html = buildWebviewHtml({
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.css',
    title: 'Superposition: qwen2.5:0.5b',
    ...overrides,
  });
  return { html, nonce };
}

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  const directives = new Map<string, string[]>();
  for (const part of m[1]!.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

test('the CSP denies everything by default and allows only the resource origin', () => {
  const { html, nonce } = page();
  const csp = cspOf(html);
  assert.deepEqual(csp.get('default-src'), ["'none'"]);
  assert.deepEqual(csp.get('img-src'), [CSP_SOURCE, 'data:']);
  assert.deepEqual(csp.get('font-src'), [CSP_SOURCE]);
  assert.deepEqual(csp.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`]);
  assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
  assert.deepEqual(csp.get('base-uri'), ["'none'"]);
  assert.equal(csp.get('connect-src'), undefined, 'no network access from the page (default-src none)');
});

test('scripts: no unsafe-inline, no unsafe-eval, and exactly one script tag carrying the CSP nonce', () => {
  const { html, nonce } = page();
  const script = cspOf(html).get('script-src') ?? [];
  assert.ok(!script.includes("'unsafe-inline'") && !script.includes("'unsafe-eval'"), script.join(' '));
  assert.ok(!html.includes('unsafe-inline') && !html.includes('unsafe-eval'));
  const tags = [...html.matchAll(/<script\b([^>]*)>/g)];
  assert.equal(tags.length, 1);
  assert.match(tags[0]![1]!, new RegExp(`nonce="${nonce.replace(/[+/]/g, '\\$&')}"`));
  assert.match(tags[0]![1]!, /src="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.js"/);
  assert.ok(!/<script[^>]*>[^<]+<\/script>/.test(html), 'no inline script body');
  assert.ok(!/\son[a-z]+=/i.test(html), 'no inline event handlers');
});

test('the stylesheet is linked, and the codicons sheet only when given', () => {
  const { html } = page();
  assert.match(html, /<link rel="stylesheet" nonce="[^"]+" href="https:\/\/file\+\.vscode-resource\.vscode-cdn\.net\/ext\/dist\/webview\.css">/);
  assert.ok(!html.includes('vscode-codicon-stylesheet'));
  const withIcons = page({ codiconsUri: 'https://x.vscode-cdn.net/codicon.css' }).html;
  assert.match(withIcons, /<link id="vscode-codicon-stylesheet" rel="stylesheet"[^>]*href="https:\/\/x\.vscode-cdn\.net\/codicon\.css">/);
});

test('the title is HTML-escaped', () => {
  const { html } = page({ title: 'Run <script>alert("x")</script> & more' });
  assert.ok(html.includes('<title>Run &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</title>'));
  assert.equal([...html.matchAll(/<script\b/g)].length, 1, 'the title adds no script tag');
  assert.equal(escapeHtml(`<a href='x'>&</a>`), '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;');
});

test('URIs are attribute-escaped', () => {
  const { html } = page({ scriptUri: 'https://x/"><img src=x onerror=alert(1)>' });
  assert.ok(!html.includes('<img'));
  assert.ok(html.includes('&quot;&gt;&lt;img'));
});

test('the page starts in the waiting state with the #app root', () => {
  const { html } = page();
  assert.match(html, /<body data-state="waiting">/);
  assert.match(html, /<main id="app">/);
  assert.match(html, /<html lang="en">/);
});

test('nonces are random, long (≥ 128 bits) and CSP-safe', () => {
  const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
  assert.equal(nonces.size, 200);
  for (const n of nonces) {
    assert.match(n, /^[A-Za-z0-9+/]{22}$/, n);
    assert.ok(Buffer.from(n, 'base64').length >= 16);
  }
});

test('a nonce or cspSource that could break out of the policy is refused', () => {
  assert.throws(() => page({ nonce: "abc'; script-src *" }));
  assert.throws(() => page({ nonce: 'short' }));
  assert.throws(() => page({ cspSource: "https://x; script-src 'unsafe-inline'" }));
  assert.throws(() => page({ cspSource: 'https://x" onload="x' }));
  // Real-world values are accepted.
  assert.doesNotThrow(() => page({ cspSource: 'vscode-webview-resource:' }));
  assert.doesNotThrow(() => page({ cspSource: "'self' https://*.vscode-cdn.net" }));
});

test('contentSecurityPolicy is the policy in the page', () => {
  const nonce = createNonce();
  const { html } = page({ nonce });
  assert.ok(html.includes(contentSecurityPolicy(CSP_SOURCE, nonce)));
});
