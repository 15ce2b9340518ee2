// End-to-end in real VS Code against the Ollama TEST DOUBLE: run a small scaling experiment from
// the command palette (the wizard's quick inputs), wait for the experiment panel, and check the
// chart's data (its table alternative) against the double's ground truth for the same prompts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { expandScaling, validateScalingPlan } from '../../src/core/experiments/plan';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, startVsCode, type VsCodeSession } from './harness';

const MODEL = 'double-scaler:latest';
const POOL = ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'];
// What the wizard will be given: K up to 2, 2 prompts per K, 3 examples per task; defaults otherwise.
const checked = validateScalingPlan({ pool: POOL, kMax: 2, promptsPerK: 2, examplesPerTask: 3, models: [MODEL], method: 'auto', samples: 200 });
assert.ok(checked.ok);
const units = expandScaling(checked.plan);
// Each prompt's task answers get 0.5, 0.3 (…) of the mass in task order: both are carried.
const PROBS = [0.5, 0.3, 0.1, 0.05];

interface ScalingRow {
  k: number;
  r: number;
  taskMass: number;
  n: number;
}

async function scalingRows(frame: Frame): Promise<ScalingRow[]> {
  return frame.$$eval('#scaling-table tr[data-k]', (trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return { k: Number(d['k']), r: Number(d['r']), taskMass: Number(d['taskMass']), n: Number(d['n']) };
    }),
  );
}

describe('Run Scaling Experiment from the command palette', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    double = await startOllamaDouble({
      models: [
        {
          name: MODEL,
          script: units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, i) => ({ text: t.answer!, prob: PROBS[i]! })))),
        },
      ],
    });
    vs = await startVsCode({
      name: 'experiments',
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

  test('the wizard runs a scaling experiment whose chart data matches the ground truth', { timeout: 180_000 }, () => captureOnFailure(vs, 'experiment-scaling', async () => {
    const page = vs.page;
    const title = page.locator('.quick-input-widget .quick-input-title');
    const input = vs.quickInput();
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Superposition: Run Scaling Experiment');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Run Scaling Experiment' }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');

    // 1/5: the task pool (the add-translate set is preselected when no prompt is selected).
    await title.filter({ hasText: '(1/5)' }).waitFor({ state: 'visible' });
    await vs.screenshot('experiment-wizard-pool');
    await page.keyboard.press('Enter');
    for (const [step, value] of [['(2/5)', '2'], ['(3/5)', '2'], ['(4/5)', '3']] as const) {
      await title.filter({ hasText: step }).waitFor({ state: 'visible' });
      await input.fill(value);
      await page.keyboard.press('Enter');
    }
    // 5/5: the models (the configured one is preselected).
    await title.filter({ hasText: '(5/5)' }).waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');

    const frame = await vs.findWebviewFrame(
      (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && document.getElementById('scaling-table') !== null),
      120_000,
    );
    await vs.screenshot('experiment-scaling-panel');
    const rows = await scalingRows(frame);
    assert.deepEqual(rows.map((r) => r.k).sort(), [1, 2]);
    for (const row of rows) {
      const mine = units.filter((u) => u.meta.K === row.k);
      assert.equal(row.n, mine.length);
      // Both scripted answers dominate every distractor, so every task of the prompt is in the top K.
      assert.equal(row.r, row.k);
      const truthMass = mine.reduce((sum, u) => sum + u.detection.tasks.reduce((s, t) => s + double.truth(MODEL, u.mix.prompt, t.answer!), 0), 0) / mine.length;
      assert.ok(Math.abs(row.taskMass - truthMass) < 0.01, `K=${row.k}: task mass ${row.taskMass} vs truth ${truthMass}`);
    }
    assert.equal(await frame.locator('#simulated-banner').count(), 1);

    // The experiment is kept in the history.
    await vs.openActivityBar('Superposition');
    await vs.waitForTreeItem('Experiments', /scaling/);
    await vs.screenshot('experiment-history');
  }));
});
