// End-to-end in real VS Code (code-server + Chromium) against the Ollama TEST DOUBLE (scripted
// distributions with exact ground truth — not a real model): open an example, select it,
// right-click → Analyze Selection, read the results webview's numbers and compare them with the
// double's truth, find the run in the Experiments tree, reopen it; then the model-missing path.
// Needs `bash scripts/e2e-tools.sh` once. Screenshots go to test-results/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { buildDemoModels, startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, repoRoot, startVsCode, type VsCodeSession } from './harness';
import { completePanel, distributionRows } from './views';

const MODEL = 'double-superposed:latest';
const EXAMPLE = 'word.txt';

/** The prompt the extension sends for the whole file: CRLF → LF, trailing whitespace removed. */
function examplePrompt(file: string): string {
  return readFileSync(join(repoRoot, 'examples', file), 'utf8').replace(/\r\n/g, '\n').trimEnd();
}

describe('Analyze Selection against the Ollama test double', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    double = await startOllamaDouble({ models: buildDemoModels({ repoRoot }).models });
    vs = await startVsCode({
      name: 'analyze',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: double.url },
      extraSettings: { 'superposition.model': MODEL },
      waitForActivity: 'Superposition',
    });
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  beforeEach(async () => {
    await vs.closeAllEditors();
  });

  test('right-click → Analyze Prompt Superposition shows the distribution, matching the ground truth', { timeout: 120_000 }, () => captureOnFailure(vs, 'analyze-distribution', async () => {
    await vs.openFile(EXAMPLE);
    await vs.selectAll();
    await vs.waitForSelectionStatus();
    double.resetCounters();
    await vs.rightClickEditorAndChoose('Analyze Prompt Superposition', { screenshot: 'analyze-context-menu' });

    const frame = await completePanel(vs);
    await vs.screenshot('analyze-distribution-panel');
    assert.ok(double.counters.requests > 0, 'the extension host reached the double through OLLAMA_HOST');
    assert.equal(await frame.locator('#simulated-banner').count(), 1, 'a run on the double is marked as simulated');

    const rows = await distributionRows(frame);
    const tasks = rows.filter((r) => r.taskId !== 'other');
    assert.ok(tasks.length >= 2, `task rows: ${JSON.stringify(rows)}`);
    const prompt = examplePrompt(EXAMPLE);
    const eps = 1e-5; // float32 logprobs
    for (const r of tasks) {
      const truth = double.truth(MODEL, prompt, r.answer);
      assert.ok(
        r.lower - eps <= truth && truth <= r.upper + eps,
        `task ${r.taskId} answer ${JSON.stringify(r.answer)}: truth ${truth} outside [${r.lower}, ${r.upper}]`,
      );
      assert.ok(r.lower <= r.probability + eps && r.probability <= r.upper + eps, `task ${r.taskId}: estimate inside its bounds`);
      assert.ok(r.share >= 0 && r.share <= 1, `task ${r.taskId}: share ${r.share}`);
    }
    const shares = tasks.reduce((s, r) => s + r.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-6, `task shares sum to 1 (${shares})`);

    // The rest of the panel: completions, the token view of each answer, the prompt as sent.
    assert.ok((await frame.locator('#completions-table tr[data-text]').count()) >= tasks.length);
    assert.ok((await frame.locator('#token-view [data-token]').count()) >= tasks.length);
    assert.equal(await frame.locator('#prompt-lines > *').count(), prompt.split('\n').length);
    await frame.locator('#token-view').scrollIntoViewIfNeeded();
    await vs.screenshot('analyze-token-view');
  }));

  test('the run appears in the Experiments tree and reopens from it', { timeout: 120_000 }, () => captureOnFailure(vs, 'analyze-history', async () => {
    await vs.openActivityBar('Superposition');
    const item = await vs.waitForTreeItem('Experiments', MODEL.replace(/:latest$/, ''));
    await vs.screenshot('analyze-history-tree');
    const items = await vs.treeItems('Experiments');
    assert.ok(items.some((i) => `${i.label} ${i.description} ${i.ariaLabel}`.includes('double-superposed')), JSON.stringify(items));

    await vs.waitForNoWebviews(); // beforeEach closed the panel
    await item.click();
    const frame = await completePanel(vs);
    const rows = await distributionRows(frame);
    assert.ok(rows.some((r) => r.taskId !== 'other'), 'the reopened run shows its tasks');
    await vs.screenshot('analyze-reopened-from-history');
  }));
});

describe('Analyze Selection with a model the server does not have', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    double = await startOllamaDouble({ models: buildDemoModels({ repoRoot }).models });
    vs = await startVsCode({
      name: 'model-missing',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: double.url },
      extraSettings: { 'superposition.model': 'llama3.2' },
      waitForActivity: 'Superposition',
    });
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  test('offers to pull the model', { timeout: 120_000 }, () => captureOnFailure(vs, 'model-missing', async () => {
    await vs.openFile(EXAMPLE);
    await vs.selectAll();
    await vs.waitForSelectionStatus();
    await vs.runCommand('Superposition: Analyze Selection');
    const toast = await vs.waitForNotification(/llama3\.2/);
    await toast.getByRole('button', { name: 'Pull Model' }).waitFor({ state: 'visible' });
    await vs.screenshot('analyze-model-missing');
    const notes = await vs.notifications();
    const note = notes.find((n) => n.message.includes('llama3.2'));
    assert.ok(note, JSON.stringify(notes));
    assert.ok(note.buttons.includes('Pull Model'), `buttons: ${note.buttons.join(', ')}`);
  }));
});
