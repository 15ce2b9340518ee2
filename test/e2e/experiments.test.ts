// End-to-end in real VS Code against the Ollama TEST DOUBLE: experiments from the command palette
// (the wizard's quick inputs, or an experiment file), checked in the experiment panel's tables
// against the double's ground truth for the same prompts; cancel and resume from the history tree.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { expandCalibration, expandScaling, validateCalibrationPlan, validateScalingPlan, type MeasurementUnit } from '../../src/core/experiments/plan';
import { parseExperimentFile } from '../../src/core/experiments/planFile';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';
import { captureOnFailure, ensureVsix, startVsCode, type VsCodeSession } from './harness';
import { fillScalingWizard, openWizard, scalingRows, type ScalingRow } from './views';

const MODEL = 'double-scaler:latest';
const POOL = ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'];
// What the wizard will be given: K up to 2, 2 prompts per K, 3 examples per task; defaults otherwise.
const checked = validateScalingPlan({ pool: POOL, kMax: 2, promptsPerK: 2, examplesPerTask: 3, models: [MODEL], method: 'auto', samples: 200 });
assert.ok(checked.ok);
const units = expandScaling(checked.plan);
// Each prompt's task answers get 0.5, 0.3 (…) of the mass in task order: both are carried.
const PROBS = [0.5, 0.3, 0.1, 0.05];

// Calibration, prefilled from an experiment file: a calibrated model (p = 0.9 × share) and one that
// over-weights the majority task (p ∝ share³).
const CALIBRATED = 'double-calibrated:latest';
const MAJORITY = 'double-majority:latest';
const CALIBRATION_FILE = {
  experiment: { kind: 'calibration', tasks: ['sum.digits', 'sum.en'], proportions: [[1, 3], [1, 1], [3, 1]], promptsPerPoint: 2, totalExamples: 8, seed: 5, models: [CALIBRATED, MAJORITY] },
} as const;
const calibrationPlan = validateCalibrationPlan({ ...CALIBRATION_FILE.experiment, tasks: [...CALIBRATION_FILE.experiment.tasks], proportions: CALIBRATION_FILE.experiment.proportions.map((p) => [...p]), models: [...CALIBRATION_FILE.experiment.models] });
assert.ok(calibrationPlan.ok);
const calibrationUnits = expandCalibration(calibrationPlan.plan);
function scriptedCalibration(model: string, unit: MeasurementUnit): number[] {
  const shares = unit.detection.tasks.map((t) => t.share);
  if (model === CALIBRATED) return shares.map((x) => 0.9 * x);
  const cubed = shares.map((x) => x ** 3);
  const sum = cubed.reduce((a, b) => a + b, 0);
  return cubed.map((c) => (0.9 * c) / sum);
}

// Cancel and resume: a scaling plan run from its experiment file, slowed down so that Cancel lands mid-run.
const RESUME_FILE = { experiment: { kind: 'scaling', pool: POOL, kMax: 2, promptsPerK: 3, examplesPerTask: 2, seed: 11, models: [MODEL] } } as const;
const resumePlan = validateScalingPlan({ ...RESUME_FILE.experiment, pool: [...POOL], models: [MODEL] });
assert.ok(resumePlan.ok);
const resumeUnits = expandScaling(resumePlan.plan);

interface StoredExperiment {
  id: string;
  status: string;
  plan: { seed: number; kind: string };
  units: { key: string; status: string; requests: number }[];
}

function storedExperiments(workspace: string): StoredExperiment[] {
  const dir = join(workspace, '.superposition', 'runs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'index.json')
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredExperiment)
    .filter((r) => r.plan?.kind !== undefined);
}

/** KL(t ‖ p) = Σ t_i ln(t_i / p_i), written out here rather than taken from the engine. */
function kl(target: readonly number[], probs: readonly number[]): number {
  const sum = target.reduce((a, b) => a + b, 0);
  return target.reduce((acc, t, i) => (t > 0 ? acc + (t / sum) * Math.log(t / sum / probs[i]!) : acc), 0);
}


/** Every K's row: n prompts, r = K (both scripted answers beat every distractor), task mass = the truth. */
function assertScalingMatchesTruth(rows: readonly ScalingRow[], planUnits: readonly MeasurementUnit[], double: OllamaDouble): void {
  assert.deepEqual(rows.map((r) => r.k).sort(), [1, 2]);
  for (const row of rows) {
    const mine = planUnits.filter((u) => u.meta.K === row.k);
    assert.equal(row.n, mine.length);
    assert.equal(row.r, row.k);
    const truthMass = mine.reduce((sum, u) => sum + u.detection.tasks.reduce((s, t) => s + double.truth(MODEL, u.mix.prompt, t.answer!), 0), 0) / mine.length;
    assert.ok(Math.abs(row.taskMass - truthMass) < 0.01, `K=${row.k}: task mass ${row.taskMass} vs truth ${truthMass}`);
  }
}

describe('Experiments from the command palette', () => {
  let double: OllamaDouble;
  let vs: VsCodeSession;

  before(async () => {
    double = await startOllamaDouble({
      models: [
        {
          name: MODEL,
          script: [...units, ...resumeUnits].map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, i) => ({ text: t.answer!, prob: PROBS[i]! })))),
        },
        ...[CALIBRATED, MAJORITY].map((name) => ({
          name,
          script: calibrationUnits
            .filter((u) => u.model === name)
            .map((u) => {
              const probs = scriptedCalibration(name, u);
              return scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, i) => ({ text: t.answer!, prob: probs[i]! })));
            }),
        })),
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
    // Written now, so Quick Open has indexed them by the time the tests open them.
    writeFileSync(join(vs.workspace, 'calibration.superposition.json'), `${JSON.stringify(CALIBRATION_FILE, null, 2)}\n`);
    writeFileSync(join(vs.workspace, 'resume.superposition.json'), `${JSON.stringify(RESUME_FILE, null, 2)}\n`);
  });

  after(async () => {
    await vs?.close();
    await double?.close();
  });

  test('the wizard runs a scaling experiment whose chart data matches the ground truth', { timeout: 180_000 }, () => captureOnFailure(vs, 'experiment-scaling', async () => {
    const page = vs.page;
    // The add-translate pool is preselected when no prompt is selected; the configured model too.
    await fillScalingWizard(vs, '2', '2', '3', 'experiment-wizard-pool');
    // Last step: start now (the default) rather than saving the plan.
    await page.keyboard.press('Enter');

    const frame = await vs.findWebviewFrame(
      (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && document.getElementById('scaling-table') !== null),
      120_000,
    );
    await vs.screenshot('experiment-scaling-panel');
    assertScalingMatchesTruth(await scalingRows(frame), units, double);
    assert.equal(await frame.locator('#simulated-banner').count(), 1);

    // The experiment is kept in the history.
    await vs.openActivityBar('Superposition');
    await vs.waitForTreeItem('Experiments', /scaling/);
    await vs.screenshot('experiment-history');
  }));

  test('the calibration wizard is prefilled from an open experiment file; probabilities and mean KL match the ground truth', { timeout: 180_000 }, () => captureOnFailure(vs, 'experiment-calibration', async () => {
    const page = vs.page;
    const title = page.locator('.quick-input-widget .quick-input-title');
    await vs.closeAllEditors();
    await vs.openFile('calibration.superposition.json');
    await openWizard(vs, 'Run Calibration Experiment');
    // Every step shows the file's values; Enter accepts them.
    for (const step of ['(1/4)', '(2/4)', '(3/4)', '(4/4)']) {
      await title.filter({ hasText: step }).filter({ hasText: 'from calibration.superposition.json' }).waitFor({ state: 'visible' });
      if (step === '(2/4)') assert.equal(await vs.quickInput().inputValue(), '1,3; 1,1; 3,1');
      await page.keyboard.press('Enter');
    }
    await title.filter({ hasText: 'ready' }).waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');

    const frame = await vs.findWebviewFrame(
      (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && document.getElementById('kl-table') !== null),
      120_000,
    );
    await vs.screenshot('experiment-calibration-panel');
    const rows = await frame.$$eval('#calibration-table tr[data-point]', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
    assert.equal(rows.length, 6);
    for (const row of rows) {
      const mine = calibrationUnits.filter((u) => u.model === row['model'] && u.meta.point === Number(row['point']));
      assert.equal(Number(row['n']), mine.length);
      const truthP1 = mine.reduce((s, u) => s + double.truth(u.model, u.mix.prompt, u.detection.tasks[0]!.answer!), 0) / mine.length;
      assert.ok(Math.abs(Number(row['p1']) - truthP1) < 0.005, `${row['model']} point ${row['point']}: p1 ${row['p1']} vs truth ${truthP1}`);
    }
    const klRows = await frame.$$eval('#kl-table tr[data-model]', (trs) => trs.map((tr) => ({ ...(tr as HTMLElement).dataset })));
    // The file's model order is kept.
    assert.deepEqual(klRows.map((r) => r['model']), [CALIBRATED, MAJORITY]);
    const truthKl = (model: string) => {
      const mine = calibrationUnits.filter((u) => u.model === model);
      return mine.reduce((s, u) => s + kl(u.detection.tasks.map((t) => t.share), u.detection.tasks.map((t) => double.truth(model, u.mix.prompt, t.answer!))), 0) / mine.length;
    };
    for (const row of klRows) {
      const expected = truthKl(row['model']!);
      assert.ok(Math.abs(Number(row['kl']) - expected) < 0.01, `${row['model']}: mean KL ${row['kl']} vs truth ${expected}`);
      assert.equal(Number(row['n']), 6);
    }
    assert.ok(Number(klRows[0]!['kl']) < Number(klRows[1]!['kl']), 'the calibrated model has the lower KL');
    const bars = await frame.evaluate(() => {
      const charts = (window as unknown as { superpositionLab?: { charts?: { kl?: { data: { datasets: { data: unknown[] }[] } } } } }).superpositionLab?.charts;
      return charts?.kl?.data.datasets[0]?.data ?? null;
    });
    assert.deepEqual(bars?.map(Number), klRows.map((r) => Number(r['kl'])));
  }));

  test('Run Experiment File, Cancel mid-run, Resume from the history: same numbers, finished prompts reused', { timeout: 240_000 }, () => captureOnFailure(vs, 'experiment-resume', async () => {
    const page = vs.page;
    await vs.closeAllEditors();
    await vs.openFile('resume.superposition.json');
    double.inject({ kind: 'slowFirstByte', delayMs: 400, count: 100_000 });
    await vs.runCommand('Superposition: Run Experiment File');
    const toast = await vs.waitForNotification(/[1-4]\/6 prompts/, 120_000);
    await vs.screenshot('experiment-resume-running');
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await vs.waitForNotification(/experiment cancelled after \d\/6 prompts/);
    double.clearFaults();

    const cancelled = storedExperiments(vs.workspace).find((r) => r.plan.seed === 11);
    assert.ok(cancelled, 'the cancelled run is saved');
    assert.equal(cancelled.status, 'cancelled');
    const finished = cancelled.units.filter((u) => u.status === 'complete');
    assert.ok(finished.length >= 1 && finished.length < resumeUnits.length, `${finished.length} finished before Cancel`);
    double.resetCounters();

    await vs.openActivityBar('Superposition');
    const pane = await vs.view('Experiments');
    const row = pane.locator('.pane-body .monaco-list-row[aria-label*="cancelled"]').first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await vs.screenshot('experiment-resume-tree');
    await row.click({ button: 'right' });
    await vs.chooseMenuItem('Resume Experiment');

    const frame = await vs.findWebviewFrame(
      (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && [...document.querySelectorAll('#scaling-table tr[data-k]')].some((tr) => (tr as HTMLElement).dataset['n'] === '3')),
      120_000,
    );
    await vs.screenshot('experiment-resume-panel');
    assertScalingMatchesTruth(await scalingRows(frame), resumeUnits, double);
    const done = storedExperiments(vs.workspace).find((r) => r.id === cancelled.id);
    assert.equal(done?.status, 'complete');
    assert.equal(done.units.length, resumeUnits.length);
    // Only the prompts that were not finished went to the server again; finished ones were reused as they were.
    const prompts = double.requests.filter((r) => r.path === '/api/generate').map((r) => String((r.body as { prompt?: unknown } | undefined)?.prompt ?? ''));
    for (const unit of resumeUnits) {
      const sent = prompts.some((p) => p.startsWith(unit.mix.prompt));
      const wasFinished = finished.some((u) => u.key === unit.key);
      assert.equal(sent, !wasFinished, `${unit.key}: ${wasFinished ? 'finished before Cancel, must be reused' : 'unfinished, must be measured'}`);
    }
    for (const u of finished) assert.ok(done.units.some((d) => d.key === u.key && d.requests === u.requests));
  }));

  test('the wizard saves its plan as an experiment file that reads back to the same plan', { timeout: 120_000 }, () => captureOnFailure(vs, 'experiment-save', async () => {
    const page = vs.page;
    await vs.closeAllEditors();
    await fillScalingWizard(vs, '2', '1', '2');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Save as experiment file only' }).click();
    // VS Code's own save dialog (in the browser: a path box), prefilled with the workspace and a name.
    const input = vs.quickInput();
    await page.waitForFunction(() => /scaling-experiment\.superposition\.json$/.test((document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value ?? ''));
    await vs.screenshot('experiment-save-dialog');
    await input.press('Enter');
    await vs.activeGroup().locator('.tab.active[data-resource-name="scaling-experiment.superposition.json"]').waitFor({ state: 'visible', timeout: 30_000 });
    const saved = parseExperimentFile(readFileSync(join(vs.workspace, 'scaling-experiment.superposition.json'), 'utf8'));
    assert.deepEqual(saved.diagnostics, []);
    const expected = validateScalingPlan({ pool: POOL, kMax: 2, promptsPerK: 1, examplesPerTask: 2, models: [MODEL], method: 'auto', samples: 200 });
    assert.ok(expected.ok);
    assert.deepEqual(saved.plan, expected.plan);
    await vs.screenshot('experiment-saved-file');
  }));
});
