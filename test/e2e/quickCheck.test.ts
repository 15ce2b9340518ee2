// Quick checks in real VS Code against the Ollama TEST DOUBLE: the CodeLens above a prompt runs it
// and then shows the last result; hovers name the tasks; analyze on save measures a changed prompt
// and answers an unchanged one from the measurement cache with no model request; a measurement
// diagnostic's quick fix balances the mix and the diagnostic goes away.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import { generateMix } from '../../src/core/tasks/generate';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, startVsCode, type VsCodeSession } from './harness';
import { completePanel } from './views';

const MODEL = 'double-absorb:latest';
const FILE = 'unbalanced.txt';

// Two tasks, one example of digits for three in English words; the model gives digits 60 %, words 10 %:
// the digits task takes 86 % of the task mass with 25 % of the examples (the `absorb` rule).
const generated = generateMix({ tasks: ['sum.digits', 'sum.en'], proportions: [1, 3], total: 8, seed: 5 });
const PROMPT_TEXT = generated.text!;
const [DIGITS, WORDS] = generated.answers!;

function lenses(vs: VsCodeSession): Locator {
  return vs.page.locator('.monaco-editor .codelens-decoration a');
}

async function waitForLens(vs: VsCodeSession, match: RegExp, timeoutMs = 60_000): Promise<Locator> {
  const lens = lenses(vs).filter({ hasText: match }).first();
  await lens.waitFor({ state: 'visible', timeout: timeoutMs });
  return lens;
}

/** The texts of `after` decorations in the editor (rendered by CSS, so not in the lines' text). */
async function inlineTexts(vs: VsCodeSession): Promise<string[]> {
  return vs.page.evaluate(() =>
    [...document.querySelectorAll('.monaco-editor .view-line span')].map((el) => getComputedStyle(el, '::after').content).filter((c) => c !== '' && c !== 'none' && c !== 'normal'),
  );
}

/** Opens the prompt file at its top. */
async function openPrompt(vs: VsCodeSession): Promise<void> {
  await vs.openFile(FILE);
  await vs.page.keyboard.press('Control+Home');
  await vs.page.locator('.monaco-editor .view-line', { hasText: PROMPT_TEXT.split('\n')[0]! }).first().waitFor({ state: 'visible', timeout: 10_000 });
}

/** An interval the lens may add after a value, e.g. " (60–61%)". */
const IV = '(?: \\([^)]*\\))?';

async function save(vs: VsCodeSession): Promise<void> {
  await vs.page.keyboard.press('Control+S');
}

describe('e2e quick check: feedback in the editor while designing a prompt', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    double = await startOllamaDouble({ models: [{ name: MODEL, script: [scriptFromAnswers(generated.mix!.prompt, [{ text: DIGITS!, prob: 0.6 }, { text: WORDS!, prob: 0.1 }])] }] });
    vs = await startVsCode({
      name: 'quick-check',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: double.url },
      // No preview editors: the results panel opens as another tab instead of replacing the prompt's.
      extraSettings: { 'superposition.model': MODEL, 'superposition.analyzeOnSaveDelay': 200, 'workbench.editor.enablePreview': false, 'workbench.editor.enablePreviewFromQuickOpen': false },
      waitForActivity: 'Superposition',
    });
    writeFileSync(join(vs.workspace, FILE), PROMPT_TEXT);
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  test('e2e quick check: the CodeLens runs the prompt, then shows the last result and opens the run', { timeout: 180_000 }, () => captureOnFailure(vs, 'quick-lens', async () => {
    await openPrompt(vs);
    const before = await waitForLens(vs, /^▷ Analyze · 2 tasks · sum\.en 75% · sum\.digits 25%$/);
    await vs.screenshot('quick-lens-before');
    double.resetCounters();
    await before.click();
    const last = await waitForLens(vs, new RegExp(`^last: digits 60%${IV} · en 10%${IV} · other 30% — double-absorb \\(simulated\\) · (just now|\\d+ s ago)$`));
    assert.ok(double.counters.generate > 0, 'the lens measured the prompt');
    // The inline result after the query line.
    for (const deadline = Date.now() + 30_000; ; await vs.page.waitForTimeout(250)) {
      const texts = await inlineTexts(vs);
      if (texts.some((t) => t.includes(`→ ${DIGITS} 60% · ${WORDS} 10%`))) break;
      if (Date.now() > deadline) throw new Error(`no inline result after the query line: ${JSON.stringify(texts)}`);
    }
    await vs.screenshot('quick-lens-after');
    await last.click();
    const frame = await completePanel(vs);
    assert.equal(await frame.locator('#distribution-table tr[data-task-id="sum.digits"]').count(), 1);
    // The collapse view: given the digits answer's first token, the answer is the digits one.
    const collapse = frame.locator('#collapse-table tbody tr');
    assert.ok((await collapse.count()) >= 2, 'first tokens in the collapse table');
    await frame.locator('#collapse').scrollIntoViewIfNeeded();
    await vs.screenshot('quick-collapse');
    await vs.closeAllEditors();
  }));

  test('e2e quick check: a hover on an example names its task; on the query, each answer with its last probability', { timeout: 120_000 }, () => captureOnFailure(vs, 'quick-hover', async () => {
    await openPrompt(vs);
    const firstExample = PROMPT_TEXT.split('\n')[0]!;
    const exampleLine = vs.page.locator('.monaco-editor .view-line', { hasText: firstExample }).first();
    await exampleLine.hover({ position: { x: 10, y: 5 } });
    const hover = vs.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /Reproduced by|Labelled/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await hover.textContent()) ?? '', /Reproduced by sum\.(digits|en)/);
    await vs.screenshot('quick-hover-example');
    await vs.page.keyboard.press('Escape');
    const queryLine = vs.page.locator('.monaco-editor .view-line').filter({ hasText: /->$|->\s*→/ }).first();
    await queryLine.hover({ position: { x: 10, y: 5 } });
    const queryHover = vs.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'Query:' }).first();
    await queryHover.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await queryHover.textContent()) ?? '', /sum\.digits → \S+ · 60\.\d%/);
    await vs.screenshot('quick-hover-query');
    await vs.page.keyboard.press('Escape');
  }));

  test('e2e quick check: save re-analyses a changed prompt; an unchanged one is answered from the cache with no model request', { timeout: 180_000 }, () => captureOnFailure(vs, 'quick-save', async () => {
    await openPrompt(vs);
    await vs.runCommand('Superposition: Toggle Analyze on Save (this file)');
    await vs.page.locator('.statusbar-item', { hasText: 'Analyze on save' }).locator('.codicon-eye').first().waitFor({ state: 'visible', timeout: 10_000 });
    // Unchanged prompt (an edit undone, so the save happens): no model request.
    double.resetCounters();
    await vs.page.keyboard.press('Control+End');
    await vs.page.keyboard.type(' ');
    await vs.page.keyboard.press('Backspace');
    await save(vs);
    await vs.page.locator('.statusbar-item', { hasText: 'unchanged — last measurement reused (no model request)' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(double.counters.generate, 0, 'an unchanged prompt must not reach the model');
    // A changed prompt (the first example removed): measured.
    await vs.page.keyboard.press('Control+Home');
    await vs.page.keyboard.press('Shift+ArrowDown');
    await vs.page.keyboard.press('Delete');
    await save(vs);
    for (const deadline = Date.now() + 60_000; double.counters.generate === 0; await vs.page.waitForTimeout(200)) {
      if (Date.now() > deadline) throw new Error('the changed prompt was not measured on save');
    }
    await waitForLens(vs, /^last: .* · (just now|\d+ s ago)$/);
    await vs.screenshot('quick-save-measured');
    // Back to the original prompt: the cache answers again.
    await vs.page.keyboard.press('Control+Z');
    double.resetCounters();
    await save(vs);
    await waitForLens(vs, new RegExp(`^last: digits 60%${IV} · en 10%`));
    await vs.page.locator('.statusbar-item', { hasText: 'unchanged — last measurement reused' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(double.counters.generate, 0);
    await vs.runCommand('Superposition: Toggle Analyze on Save (this file)');
  }));

  test('e2e quick check: a quick fix balances the mix and the measurement diagnostic goes away', { timeout: 180_000 }, () => captureOnFailure(vs, 'quick-fix', async () => {
    await openPrompt(vs);
    // Measured (or answered from the cache) on this exact prompt, then the Problems view.
    await vs.runCommand('Superposition: Quick Check Prompt');
    await waitForLens(vs, new RegExp(`^last: digits 60%${IV} · en 10%`));
    await vs.page.keyboard.press('Control+Shift+M');
    const problem = vs.page.locator('.markers-panel .monaco-list-row', { hasText: /sum\.digits takes \d+% of the task mass with 25% of the examples/ }).first();
    await problem.waitFor({ state: 'visible', timeout: 30_000 });
    await vs.screenshot('quick-fix-problem');
    // The light bulb's fix, from the editor: go to the query line, open Quick Fix.
    await problem.click();
    await vs.runCommand('Quick Fix...');
    const fix = vs.page.locator('.action-widget .monaco-list-row, .context-view .action-item', { hasText: 'Balance the mix' }).first();
    await fix.waitFor({ state: 'visible', timeout: 30_000 });
    await vs.screenshot('quick-fix-menu');
    await fix.click();
    // The mix is balanced (as many digits examples as word examples) and the diagnostic is gone.
    for (const deadline = Date.now() + 30_000; ; await vs.page.waitForTimeout(250)) {
      if ((await problem.count()) === 0) break;
      if (Date.now() > deadline) throw new Error('the measurement diagnostic did not go away after the fix');
    }
    await waitForLens(vs, /^last \(prompt changed since\):/);
    await vs.screenshot('quick-fix-after');
  }));
});
