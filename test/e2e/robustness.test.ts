// End-to-end in real VS Code against the Ollama TEST DOUBLE (scripted distributions, not a model):
// 1. XSS: task labels, custom answers, example outputs and the model's own completions carry
//    HTML / script / markdown payloads — the results webview shows them as text and runs none.
// 2. The server dies in the middle of an analysis: a clear message with a next step, the partial
//    run kept (failed) in the panel and the history, and the extension host still works (Re-run).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { buildDemoModels, scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, repoRoot, startVsCode, type VsCodeSession } from './harness';

const DEMO = 'double-superposed:latest';

// Every payload sets window.__xss if it ever runs.
const LABEL = `<img src=x onerror="window.__xss='label'">`;
const ANSWER = `<script>window.__xss='answer'</script>`;
const OUTPUT = `<b onmouseover="window.__xss='output'">bold</b>`;
const COMPLETION = `<svg/onload=window.__xss='completion'>`;
const MARKDOWN = `[click](javascript:window.__xss='markdown') **x**`;
const XSS_FILE = {
  separator: '->',
  examples: [
    { input: 'one', output: ANSWER, task: 'xss.script' },
    { input: 'two', output: OUTPUT, task: 'xss.html' },
    { input: 'three', output: ANSWER, task: 'xss.script' },
    { input: 'four', output: MARKDOWN, task: 'xss.html' },
  ],
  query: 'five',
  tasks: [
    { id: 'xss.script', label: LABEL, answer: ANSWER },
    { id: 'xss.html', label: `${MARKDOWN} <iframe src="javascript:window.__xss='iframe'">`, answer: OUTPUT },
  ],
};
// The paper's prompt format, written out here (not taken from the extension's parser).
const XSS_PROMPT = `${XSS_FILE.examples.map((e) => `${e.input}->${e.output}`).join('\n')}\n${XSS_FILE.query}->`;

async function panelIn(vs: VsCodeSession, state: string, timeoutMs = 60_000): Promise<Frame> {
  return vs.findWebviewFrame((f) => f.evaluate((s) => document.body?.dataset['state'] === s && document.getElementById('distribution-table') !== null, state), timeoutMs);
}

describe('Robustness in the editor: hostile text and a dying server', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    // The demo model also answers the hostile prompt; its two most likely completions (the top K = 2 listed) are payloads.
    const hostile = scriptFromAnswers(XSS_PROMPT, [{ text: COMPLETION, prob: 0.4 }, { text: MARKDOWN, prob: 0.3 }, { text: ANSWER, prob: 0.15 }, { text: OUTPUT, prob: 0.1 }]);
    const models = buildDemoModels({ repoRoot }).models.map((m) => (m.name === DEMO ? { ...m, script: [...m.script, hostile] } : m));
    double = await startOllamaDouble({ models });
    vs = await startVsCode({
      name: 'robustness',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: double.url },
      extraSettings: { 'superposition.model': DEMO },
      waitForActivity: 'Superposition',
    });
    writeFileSync(join(vs.workspace, 'xss.superposition.json'), `${JSON.stringify(XSS_FILE, null, 2)}\n`);
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  beforeEach(async () => {
    await vs.closeAllEditors();
  });

  test('HTML, script and markdown in task names, answers and model output are shown as text and never run', { timeout: 120_000 }, () => captureOnFailure(vs, 'xss', async () => {
    await vs.openFile('xss.superposition.json');
    await vs.runCommand('Superposition: Analyze File');
    const frame = await panelIn(vs, 'complete');
    // Hover every token so the alternatives pop-ups (built from model tokens) render too.
    for (const token of await frame.locator('#token-view [data-token]').all()) await token.hover();
    await vs.screenshot('xss-panel');

    const report = await frame.evaluate(() => ({
      flag: (window as unknown as { __xss?: unknown }).__xss ?? null,
      dangerous: [...document.querySelectorAll('img, svg, iframe, object, embed, a[href], [onerror], [onload], [onmouseover]')].map((e) => e.outerHTML.slice(0, 80)),
      scripts: [...document.querySelectorAll('script')].map((s) => ({ src: s.getAttribute('src') ?? '', nonce: s.nonce !== '', text: s.textContent ?? '' })),
      text: document.body.innerText,
      completions: [...document.querySelectorAll('#completions-table tr[data-text]')].map((tr) => ({ data: (tr as HTMLElement).dataset['text'] ?? '', shown: tr.querySelector('code.answer')?.textContent ?? '' })),
    }));
    assert.equal(report.flag, null, 'no payload ran');
    assert.deepEqual(report.dangerous, [], 'no element was created from a payload');
    // Our bundle (with the CSP nonce), plus the inline script VS Code itself injects into every webview.
    assert.ok(report.scripts.some((s) => s.src.endsWith('/dist/webview.js') && s.nonce), 'the extension script is loaded with its nonce');
    assert.ok(report.scripts.every((s) => !s.text.includes('__xss') && !s.src.includes('__xss')), 'no script element comes from a payload');
    for (const payload of [LABEL, ANSWER, OUTPUT]) assert.ok(report.text.includes(payload), `shown as text: ${payload}`);
    // The model's own completions (not task answers) are listed as text too.
    for (const payload of [COMPLETION, MARKDOWN]) {
      const row = report.completions.find((c) => c.data === payload);
      assert.ok(row, `completion listed: ${payload} in ${JSON.stringify(report.completions)}`);
      assert.ok(row.shown.includes(payload), `completion shown as text: ${row.shown}`);
    }
    assert.ok(report.text.includes('[click](javascript:'), 'markdown is not rendered either');
    const flagInTop = await vs.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null);
    assert.equal(flagInTop, null, 'nothing ran in the workbench either');
  }));

  test('the server dies mid-analysis: message with a next step, partial run kept as failed, Re-run works once it is back', { timeout: 180_000 }, () => captureOnFailure(vs, 'server-dies', async () => {
    double.inject({ kind: 'slowFirstByte', delayMs: 250, count: 100_000 });
    await vs.openFile('word.txt');
    await vs.runCommand('Superposition: Analyze File');
    // Let a few requests finish, then take the server away.
    await vs.findWebviewFrame((f) => f.evaluate(() => document.body?.dataset['state'] === 'running' && document.querySelectorAll('#distribution-table tr[data-task-id]').length > 0), 60_000);
    const before = double.counters.generate;
    while (double.counters.generate < before + 3) await vs.page.waitForTimeout(100);
    await double.suspend();
    const toast = await vs.waitForNotification(/Superposition: .*(not running|not reachable|connection|reset)/i, 60_000);
    const notes = await vs.notifications();
    const note = notes.find((n) => /not running|not reachable|connection|reset/i.test(n.message));
    assert.ok(note, JSON.stringify(notes));
    assert.ok(note.buttons.includes('Re-run'), `buttons: ${note.buttons.join(', ')}`);
    assert.match(note.message, /Start Ollama|ollama serve|Retry|again/i, 'the message names a next step');
    const failed = await panelIn(vs, 'failed');
    assert.ok((await failed.locator('#distribution-table tr[data-task-id]').count()) > 0, 'partial results are shown');
    await vs.screenshot('server-dies-panel');

    await vs.openActivityBar('Superposition');
    const pane = await vs.view('Experiments');
    await pane.locator('.pane-body .monaco-list-row[aria-label*="failed"]').first().waitFor({ state: 'visible', timeout: 30_000 });

    double.clearFaults();
    await double.resume();
    await toast.locator('.monaco-button', { hasText: 'Re-run' }).click();
    const complete = await panelIn(vs, 'complete', 90_000);
    assert.ok((await complete.locator('#distribution-table tr[data-task-id]').count()) > 0);
  }));
});
