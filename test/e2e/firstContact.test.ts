// First contact in real VS Code against the simulated demo (`npm start -- --double`'s models, the
// Ollama TEST DOUBLE scripted on demand by scripts/demoScript.ts): an edited example gets mass on
// its tasks (not "other 100%"), the panel opens with a verdict, every metric has visible help, run
// details are collapsed; task text is readable (≥ 4.5:1) in Dark Modern and Light Modern and the
// query line does not wear a task's colour.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { demoModels } from '../../scripts/demoScript';
import { startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, repoRoot, startVsCode, type VsCodeSession } from './harness';
import { completePanel, distributionRows } from './views';

const MODEL = 'double-superposed:latest';

interface Contrast {
  text: string;
  color: string;
  background: string;
  ratio: number;
}

function luminance([r, g, b]: number[]): number {
  const lin = (v: number) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

/** Contrast of every task-coloured text in the prompt view against the panel background (WCAG), computed here. */
async function taskTextContrast(frame: Frame): Promise<Contrast[]> {
  // Only read computed colours in the page (its CSP forbids eval, and named helpers would not survive bundling).
  const background = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  const outputs = await frame.locator('.prompt-line:not(.query) .line-output').evaluateAll((els) => els.map((el) => ({ text: el.textContent ?? '', color: getComputedStyle(el).color })));
  const rgb = (s: string) => (s.match(/[\d.]+/g) ?? []).map(Number);
  const bg = rgb(background);
  return outputs.map(({ text, color }) => {
    const c = rgb(color);
    const alpha = c[3] ?? 1;
    const flat = [0, 1, 2].map((i) => c[i]! * alpha + bg[i]! * (1 - alpha));
    const [hi, lo] = [luminance(flat), luminance(bg)].sort((x, y) => y - x);
    return { text, color, background, ratio: (hi! + 0.05) / (lo! + 0.05) };
  });
}

/** Picks a colour theme through *Preferences: Color Theme* and waits for the panel to follow. */
async function setTheme(vs: VsCodeSession, theme: string, frame: Frame, light: boolean): Promise<void> {
  const input = vs.quickInput();
  const rows = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await vs.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  // The exact command (not "Browse Color Themes in Marketplace", which also matches).
  const command = rows.filter({ has: vs.page.locator('.label-name', { hasText: /^\s*Preferences: Color Theme\s*$/ }) }).first();
  await command.waitFor({ state: 'visible' });
  await command.click();
  const name = theme.replace(/^Default /, '');
  await input.fill(name);
  const row = rows.filter({ has: vs.page.locator('.label-name', { hasText: new RegExp(`^\\s*${name}\\s*$`) }) }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
  await vs.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  for (const deadline = Date.now() + 30_000; ; await vs.page.waitForTimeout(250)) {
    if ((await frame.locator('body').getAttribute('class'))?.includes('vscode-light') === light) break;
    if (Date.now() > deadline) throw new Error(`the panel did not switch to ${theme}`);
  }
  await vs.page.waitForTimeout(500);
}

describe('e2e first contact: the simulated demo on any prompt, results that explain themselves', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;
  let editedRunId = '';

  before(async () => {
    double = await startOllamaDouble({ models: demoModels(repoRoot, join(repoRoot, 'examples')) });
    vs = await startVsCode({
      name: 'first-contact',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: double.url },
      extraSettings: { 'superposition.model': MODEL, 'workbench.colorTheme': 'Default Dark Modern' },
      waitForActivity: 'Superposition',
    });
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  test('e2e first contact: an edited example gets mass on every task, a verdict, metric help and collapsed details', { timeout: 180_000 }, () => captureOnFailure(vs, 'first-contact-edited', async () => {
    await vs.openFile('country.txt');
    await vs.focusEditor();
    // Edit: drop the first two examples.
    await vs.page.keyboard.press('Control+Home');
    await vs.page.keyboard.press('Shift+ArrowDown');
    await vs.page.keyboard.press('Shift+ArrowDown');
    await vs.page.keyboard.press('Delete');
    await vs.selectAll();
    await vs.waitForSelectionStatus();
    await vs.rightClickEditorAndChoose('Analyze Prompt Superposition');
    const frame = await completePanel(vs);
    editedRunId = (await frame.locator('#run-header').getAttribute('data-run-id')) ?? '';
    const rows = (await distributionRows(frame)).filter((r) => r.taskId !== 'other');
    assert.ok(rows.length >= 2, JSON.stringify(rows));
    for (const r of rows) assert.ok(r.lower > 0.01, `${r.taskId} "${r.answer}": ${r.lower} — the demo must answer an edited prompt`);
    await frame.locator('#run-verdict').scrollIntoViewIfNeeded();
    await vs.screenshot('first-contact-verdict');
    const verdict = await frame.locator('#run-verdict').textContent();
    assert.match(verdict ?? '', /^(Spread over \d of \d tasks|Collapsed onto one task)/);
    assert.equal(await frame.locator('#simulated-banner').count(), 1);
    // Every metric has its help, visible as ⓘ; opening one shows what good looks like.
    const helps = frame.locator('#metrics .metric-help');
    assert.equal(await helps.count(), 5);
    await helps.first().locator('summary').click();
    assert.match((await helps.first().textContent()) ?? '', /Good: /);
    // Run details start collapsed.
    assert.equal(await frame.locator('#run-details').evaluate((d) => (d as HTMLDetailsElement).open), false);
    assert.match((await frame.locator('#completions-table caption').textContent()) ?? '', /whole lines/);
    await vs.screenshot('first-contact-metric-help');
    // Back to the file as shipped: undo the edit in the editor.
    await vs.runCommand('View: Focus First Editor Group');
    await vs.page.keyboard.press('Control+Z');
    await vs.page.locator('.monaco-editor .view-line', { hasText: 'Mauritius->Africa' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  }));

  test('e2e first contact: task text is readable (≥ 4.5:1) in Dark Modern and Light Modern; the query has no task colour', { timeout: 180_000 }, () => captureOnFailure(vs, 'first-contact-colours', async () => {
    const frame = await completePanel(vs);
    for (const [theme, light] of [['Default Dark Modern', false], ['Default Light Modern', true]] as const) {
      await setTheme(vs, theme, frame, light);
      await frame.locator('#prompt').scrollIntoViewIfNeeded();
      const contrasts = await taskTextContrast(frame);
      assert.ok(contrasts.length >= 4, `${theme}: ${contrasts.length} coloured outputs`);
      for (const c of contrasts) assert.ok(c.ratio >= 4.5, `${theme}: "${c.text}" ${c.color} on ${c.background}: ${c.ratio.toFixed(2)}:1`);
      const palette = await frame.evaluate(() => [0, 1, 2, 3, 4, 5].map((i) => document.body.style.getPropertyValue(`--sp-task-${i}`).trim()));
      assert.ok(palette.every((c) => /^#[0-9a-f]{6}$/.test(c)), `${theme}: opaque palette ${palette.join(' ')}`);
      const queryColours = await frame.locator('.prompt-line.query').evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.borderLeftColor, s.color];
      });
      const taskRgb = palette.map((hex) => `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`);
      for (const c of queryColours) assert.ok(!taskRgb.includes(c), `${theme}: the query line uses a task colour (${c})`);
      await vs.screenshot(`first-contact-${light ? 'light' : 'dark'}-modern`);
    }
    await setTheme(vs, 'Default Dark Modern', frame, false);
  }));
  test('e2e first contact: the original prompt, then Before / After with what changed, Δ and the prompt diff; distinct history rows', { timeout: 240_000 }, () => captureOnFailure(vs, 'first-contact-compare', async () => {
    // The file as shipped (test 1 reverted its edit), analysed.
    await vs.runCommand('View: Focus First Editor Group');
    await vs.selectAll();
    await vs.waitForSelectionStatus();
    await vs.rightClickEditorAndChoose('Analyze Prompt Superposition');
    const panel = await vs.findWebviewFrame(
      (f) => f.evaluate((edited) => document.body?.dataset['state'] === 'complete' && (document.getElementById('run-header')?.dataset['runId'] ?? edited) !== edited, editedRunId),
      60_000,
    );
    await panel.locator('#btn-compare').click();
    // The picker lists the other run (the edited prompt); take it.
    const rows = vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().waitFor({ state: 'visible' });
    await vs.screenshot('first-contact-compare-picker');
    await vs.page.keyboard.press('Enter');
    const frame = await vs.findWebviewFrame((f) => f.evaluate(() => document.body?.dataset['state'] === 'comparison'), 60_000);
    const changed = (await frame.locator('#comparison-differs').textContent()) ?? '';
    assert.match(changed, /What changed: examples \d+ → \d+ · \d+ (s|min) later/);
    assert.match((await frame.locator('#comparison-left h2').textContent()) ?? '', /^Before: /);
    assert.match((await frame.locator('#comparison-right h2').textContent()) ?? '', /^After: /);
    assert.match((await frame.locator('#comparison-table thead').textContent()) ?? '', /Δ \(after − before\)/);
    // Before is the edited prompt (the older run): fewer examples than After.
    const examples = async (side: string) => Number(/(\d+) examples/.exec((await frame.locator(`#comparison-${side} .query-line`).textContent()) ?? '')?.[1]);
    assert.ok((await examples('left')) < (await examples('right')), 'Before is the older run (the edit with fewer examples)');
    await vs.screenshot('first-contact-before-after');
    await frame.locator('#btn-prompt-diff').click();
    // VS Code's diff editor opens with both prompts (its tab is titled "Prompt: Before (…) ↔ After (…)").
    await vs.page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok((await vs.page.locator('.tab', { hasText: /^Prompt: Before/ }).count()) > 0, 'the diff editor tab names Before and After');
    await vs.screenshot('first-contact-prompt-diff');
    // History rows: led by the file and the headline, the model in the description; not alike.
    await vs.openActivityBar('Superposition');
    await vs.waitForTreeItem('Experiments', /country\.txt/);
    const items = (await vs.treeItems('Experiments')).filter((i) => /country\.txt/.test(i.label));
    assert.ok(items.length >= 2, JSON.stringify(items));
    for (const i of items) {
      assert.match(i.label, /^country\.txt · /);
      assert.match(i.description, /double-superposed/);
    }
    assert.notEqual(`${items[0]!.label} ${items[0]!.description}`, `${items[1]!.label} ${items[1]!.description}`);
    await vs.screenshot('first-contact-history-rows');
  }));

});
