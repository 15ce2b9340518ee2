// Scaling and calibration experiments end to end against the Ollama TEST DOUBLE, with scripted
// models of different "capacity" built from the generator's own answers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { calibrateCommand, parseProportions, progressLine, scaleCommand } from '../../src/cli/experiments';
import type { CliIo } from '../../src/cli/main';
import { klNormalised, klUnnormalised } from '../../src/core/estimate/metrics';
import { aggregateCalibration, aggregateScaling } from '../../src/core/experiments/aggregate';
import {
  expandCalibration,
  expandScaling,
  PlanError,
  validateCalibrationPlan,
  validateScalingPlan,
  type CalibrationPlanInput,
  type MeasurementUnit,
  type ScalingPlanInput,
} from '../../src/core/experiments/plan';
import { buildExperimentRecord, ExperimentRecordSchema, parseExperimentRecord, resumeFrom, type UnitResult } from '../../src/core/experiments/record';
import { runExperiment } from '../../src/core/experiments/runner';
import { serializeExperimentFile } from '../../src/core/experiments/planFile';
import { OllamaClient } from '../../src/core/ollama/client';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble, type ScriptedModel } from '../double/index';

const CAP2 = 'double-cap2:latest';
const CAP5 = 'double-cap5:latest';
const CALIBRATED = 'double-calibrated:latest';
const MAJORITY = 'double-majority:latest';

const SCALING: ScalingPlanInput = { pool: ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'], kMin: 1, kMax: 4, examplesPerTask: 4, promptsPerK: 2, seed: 7, models: [CAP2, CAP5], method: 'logprobs' };
const CALIBRATION: CalibrationPlanInput = {
  tasks: ['sum.digits', 'sum.en'],
  proportions: [[0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]],
  promptsPerPoint: 2,
  totalExamples: 8,
  seed: 3,
  models: [CALIBRATED, MAJORITY],
  method: 'logprobs',
};
const scalingUnits = expandScaling(SCALING);
const calibrationUnits = expandCalibration(CALIBRATION);

/** Scripted answer probabilities of a model for one unit (tasks in the unit's order; 0 = not carried). */
function scripted(model: string, unit: MeasurementUnit): number[] {
  const shares = unit.detection.tasks.map((t) => t.share);
  switch (model) {
    case CAP2:
      // Carries at most 2 tasks: 0.5 and 0.3 on the first two.
      return shares.map((_, i) => (i === 0 ? (shares.length === 1 ? 0.8 : 0.5) : i === 1 ? 0.3 : 0));
    case CAP5:
      return shares.map((_, i) => (i < 5 ? 0.8 / Math.min(shares.length, 5) : 0));
    case CALIBRATED:
      return shares.map((s) => 0.9 * s);
    case MAJORITY: {
      const cubed = shares.map((s) => s ** 3);
      const sum = cubed.reduce((a, b) => a + b, 0);
      return cubed.map((c) => (0.9 * c) / sum);
    }
    default:
      throw new Error(model);
  }
}

function modelOf(name: string, units: readonly MeasurementUnit[]): ScriptedModel {
  const seen = new Set<string>();
  const script = [];
  for (const unit of units) {
    if (seen.has(unit.mix.prompt)) continue;
    seen.add(unit.mix.prompt);
    const probs = scripted(name, unit);
    const answers = unit.detection.tasks.map((t, i) => ({ text: t.answer!, prob: probs[i] ?? 0 })).filter((a) => a.prob > 0);
    script.push(scriptFromAnswers(unit.mix.prompt, answers));
  }
  return { name, script };
}

const MODELS = [modelOf(CAP2, scalingUnits), modelOf(CAP5, scalingUnits), modelOf(CALIBRATED, calibrationUnits), modelOf(MAJORITY, calibrationUnits)];
let double: OllamaDouble;
let double2: OllamaDouble;
const client = (d: OllamaDouble) => new OllamaClient({ host: d.url, retries: 0 });

before(async () => {
  double = await startOllamaDouble({ models: MODELS, parallel: 4, float32Logprobs: false });
  double2 = await startOllamaDouble({ models: MODELS, parallel: 4, float32Logprobs: false });
});
after(async () => {
  await double.close();
  await double2.close();
});

const truthOf = (unit: MeasurementUnit) => unit.detection.tasks.map((t) => double.truth(unit.model, unit.mix.prompt, t.answer!));
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const strip = (results: readonly UnitResult[]) => results.map(({ key, tasks, r, other, taskMass, kl, klNormalized, status, modelDigest }) => ({ key, tasks, r, other, taskMass, kl, klNormalized, status, modelDigest }));

let scalingBaseline: UnitResult[] = [];
let calibrationBaseline: UnitResult[] = [];

test('plans: deterministic expansion, same prompts for every model, stable keys', () => {
  assert.equal(scalingUnits.length, 2 * 4 * 2);
  assert.deepEqual(scalingUnits.slice(0, 3).map((u) => u.key), [`scaling|${CAP2}|K=1|p=0`, `scaling|${CAP2}|K=1|p=1`, `scaling|${CAP2}|K=2|p=0`]);
  const again = expandScaling(SCALING);
  assert.deepEqual(again.map((u) => u.mix.prompt), scalingUnits.map((u) => u.mix.prompt));
  // Adding a model changes neither the prompts nor the keys of the others.
  const more = expandScaling({ ...SCALING, models: [CAP5, 'x', CAP2] });
  for (const u of scalingUnits) assert.equal(more.find((m) => m.key === u.key)?.mix.prompt, u.mix.prompt);
  const half = scalingUnits.length / 2;
  assert.deepEqual(scalingUnits.slice(0, half).map((u) => u.mix.prompt), scalingUnits.slice(half).map((u) => u.mix.prompt));
  for (const u of scalingUnits) {
    assert.equal(u.detection.tasks.length, u.meta.K);
    assert.equal(u.mix.examples.length, 4 * u.meta.K);
    assert.ok(u.detection.tasks.every((t) => t.answer && t.count === 4));
  }
  // Calibration: a task with no examples is still measured (share 0, an answer).
  const zero = calibrationUnits.find((u) => u.meta.point === 0)!;
  assert.deepEqual(zero.detection.tasks.map((t) => t.count), [0, 8]);
  assert.ok(zero.detection.tasks[0]!.answer);
  assert.deepEqual(calibrationUnits.find((u) => u.meta.point === 1)!.detection.tasks.map((t) => t.share), [0.25, 0.75]);
  assert.equal(expandScaling({ ...SCALING, seed: 8 })[0]!.mix.prompt === scalingUnits[0]!.mix.prompt, false);
});

test('plans: validation errors are clear', () => {
  const errs = (c: { ok: boolean; errors?: string[] }) => (c.ok ? [] : c.errors ?? []).join('\n');
  assert.match(errs(validateScalingPlan({ ...SCALING, pool: ['sum.digits', 'nope'] })), /Unknown task 'nope'/);
  assert.match(errs(validateScalingPlan({ ...SCALING, pool: ['sum.digits', 'country.capital'], kMax: 2 })), /share one input format/);
  assert.match(errs(validateScalingPlan({ ...SCALING, kMax: 5 })), /larger than the task pool \(4 tasks\)/);
  assert.match(errs(validateScalingPlan({ ...SCALING, kMin: 3, kMax: 2 })), /kMax must be an integer ≥ kMin/);
  assert.match(errs(validateScalingPlan({ ...SCALING, models: [] })), /at least one model/);
  assert.match(errs(validateScalingPlan({ ...SCALING, pool: ['sum.en', 'sum.en'] })), /listed twice/);
  assert.match(errs(validateCalibrationPlan({ ...CALIBRATION, tasks: ['sum.digits'] })), /2 or 3 tasks/);
  assert.match(errs(validateCalibrationPlan({ ...CALIBRATION, proportions: [[0.5, 0.5], [1]] })), /point 2 has 1 proportion; give one per task \(2\)/);
  assert.match(errs(validateCalibrationPlan({ ...CALIBRATION, proportions: [[0, 0]] })), /at least one proportion must be positive/);
  assert.throws(() => expandScaling({ ...SCALING, kMax: 9 }), PlanError);
  const defaults = validateCalibrationPlan({ tasks: ['sum.digits', 'sum.en'], models: ['m'] });
  assert.ok(defaults.ok);
  assert.equal(defaults.plan.proportions.length, 11);
  assert.deepEqual(defaults.plan.proportions[1], [0.1, 0.9]);
  assert.equal(defaults.plan.totalExamples, 40);
  const scale = validateScalingPlan({ pool: ['sum.digits', 'sum.en'], kMax: 2, models: ['m'] });
  assert.ok(scale.ok);
  assert.deepEqual([scale.plan.examplesPerTask, scale.plan.promptsPerK, scale.plan.threshold, scale.plan.kMin], [20, 20, 0.05, 1]);
  assert.deepEqual(parseProportions('0,1; 0.5,0.5'), [[0, 1], [0.5, 0.5]]);
});

test('scaling: E[r] follows each model\'s capacity and matches the scripted ground truth', async () => {
  const seen: number[] = [];
  const run = await runExperiment(scalingUnits, { clients: [client(double)], concurrency: 2, onUnit: (_r, done) => seen.push(done) });
  assert.equal(run.status, 'complete', run.error?.message);
  assert.equal(run.results.length, scalingUnits.length);
  assert.equal(seen.length, scalingUnits.length);
  assert.equal(Math.max(...seen), scalingUnits.length);
  scalingBaseline = run.results;
  for (const [i, unit] of scalingUnits.entries()) {
    const result = run.results[i]!;
    assert.equal(result.key, unit.key);
    const truth = truthOf(unit);
    result.tasks.forEach((t, j) => assert.ok(Math.abs(t.probability - truth[j]!) < 0.01, `${unit.key} ${t.id}: ${t.probability} vs ${truth[j]}`));
    assert.equal(result.r, truth.filter((p) => p > 0.01).length, unit.key);
    assert.ok(Math.abs(result.taskMass - truth.reduce((a, b) => a + b, 0)) < 0.02);
  }
  const aggregates = aggregateScaling(run.results, { models: SCALING.models, threshold: 0.05 });
  assert.equal(aggregates.length, 8);
  const at = (model: string, K: number) => aggregates.find((a) => a.model === model && a.K === K)!;
  for (let K = 1; K <= 4; K++) {
    assert.equal(at(CAP2, K).r?.mean, Math.min(K, 2), `cap2 K=${K}`);
    assert.equal(at(CAP5, K).r?.mean, K, `cap5 K=${K}`);
    assert.equal(at(CAP5, K).aboveThreshold, K);
    assert.equal(at(CAP2, K).n, 2);
    // The ground truth of the task mass.
    const units = scalingUnits.filter((u) => u.model === CAP2 && u.meta.K === K);
    assert.ok(Math.abs(at(CAP2, K).taskMass - mean(units.map((u) => truthOf(u).reduce((a, b) => a + b, 0)))) < 0.02);
    assert.ok(Math.abs(at(CAP2, K).other - (1 - at(CAP2, K).taskMass)) < 1e-9);
  }
  assert.ok(at(CAP5, 4).r!.mean > at(CAP2, 4).r!.mean);
});

test('calibration: probabilities and KL match the ground truth; the calibrated model has the lower KL', async () => {
  const run = await runExperiment(calibrationUnits, { clients: [client(double)], concurrency: 3 });
  assert.equal(run.status, 'complete', run.error?.message);
  calibrationBaseline = run.results;
  const aggregates = aggregateCalibration(run.results, { models: CALIBRATION.models, tasks: CALIBRATION.tasks, proportions: CALIBRATION.proportions! });
  assert.equal(aggregates.length, 10);
  for (const a of aggregates) {
    const units = calibrationUnits.filter((u) => u.model === a.model && u.meta.point === a.point);
    const truths = units.map(truthOf);
    a.tasks.forEach((t, i) => assert.ok(Math.abs(t.probability.mean - mean(truths.map((tr) => tr[i]!))) < 0.01, `${a.model} point ${a.point} ${t.id}`));
    const shares = units.map((u) => u.detection.tasks.map((t) => t.share));
    const kl = truths.map((tr, j) => klUnnormalised(shares[j]!, tr));
    const klN = truths.map((tr, j) => klNormalised(shares[j]!, tr));
    assert.equal(a.kl.infinite, 0);
    assert.ok(Math.abs(a.kl.mean! - mean(kl)) < 0.02, `${a.model} point ${a.point}: KL ${a.kl.mean} vs ${mean(kl)}`);
    assert.ok(Math.abs(a.klNormalized.mean! - mean(klN)) < 0.02);
    assert.deepEqual(a.shares, a.proportions);
  }
  const klOf = (model: string) => mean(aggregates.filter((a) => a.model === model).map((a) => a.klNormalized.mean!));
  assert.ok(klOf(CALIBRATED) < 0.01, `calibrated ${klOf(CALIBRATED)}`);
  assert.ok(klOf(MAJORITY) > klOf(CALIBRATED) + 0.05, `majority ${klOf(MAJORITY)}`);
  // P(task 1) follows its share for the calibrated model and is pushed to the extremes by the other.
  const p1 = (model: string, point: number) => aggregates.find((a) => a.model === model && a.point === point)!.tasks[0]!.probability.mean;
  assert.ok(Math.abs(p1(CALIBRATED, 1) - 0.9 * 0.25) < 0.02);
  assert.ok(p1(MAJORITY, 1) < p1(CALIBRATED, 1) && p1(MAJORITY, 3) > p1(CALIBRATED, 3));
});

test('resume after cancel gives the same results as an uninterrupted run', async () => {
  const controller = new AbortController();
  const first = await runExperiment(calibrationUnits, {
    clients: [client(double)],
    concurrency: 2,
    signal: controller.signal,
    onUnit: (_r, done) => {
      if (done >= 5) controller.abort();
    },
  });
  assert.equal(first.status, 'cancelled');
  assert.ok(first.results.length >= 5 && first.results.length < calibrationUnits.length, `${first.results.length}`);
  const partial = buildExperimentRecord({ ...validateCalibrationPlanOk() }, first, { unitCount: calibrationUnits.length });
  const parsed = parseExperimentRecord(JSON.stringify(partial));
  assert.ok(parsed.record, parsed.error);
  const previous = resumeFrom(parsed.record);
  assert.equal(previous.size, first.results.length);
  const second = await runExperiment(calibrationUnits, { clients: [client(double)], concurrency: 2, previous });
  assert.equal(second.status, 'complete');
  assert.equal(second.reused, first.results.length);
  assert.equal(second.measured, calibrationUnits.length - first.results.length);
  assert.deepEqual(strip(second.results), strip(calibrationBaseline));
  const plan = validateCalibrationPlanOk();
  const record = buildExperimentRecord(plan, second, { unitCount: calibrationUnits.length, resumed: parsed.record });
  assert.equal(record.id, partial.id);
  assert.deepEqual(record.aggregates.calibration, aggregateCalibration(calibrationBaseline, plan));
  assert.equal(ExperimentRecordSchema.safeParse(record).success, true);
});

function validateCalibrationPlanOk() {
  const c = validateCalibrationPlan(CALIBRATION);
  assert.ok(c.ok);
  return c.plan;
}

test('two hosts give the same results as one and share the work', async () => {
  const c1 = client(double);
  const c2 = client(double2);
  double2.resetCounters();
  const run = await runExperiment(scalingUnits, { clients: [c1, c2], concurrency: 2 });
  assert.equal(run.status, 'complete');
  assert.deepEqual(strip(run.results), strip(scalingBaseline));
  assert.ok(double2.counters.generate > 0, 'the second host did some of the work');
  assert.equal(run.hosts.length, 2);
  assert.ok(run.models.every((m) => m.digest));
});

test('a missing model fails the run, keeps what finished, and is resumable', async () => {
  const units = expandScaling({ ...SCALING, kMax: 1, models: [CAP2, 'double-missing:latest'] });
  const run = await runExperiment(units, { clients: [client(double)] });
  assert.equal(run.status, 'failed');
  assert.equal(run.error?.kind, 'model-not-found');
  assert.equal(run.results.filter((r) => r.status === 'complete').length, 2);
  const previous = resumeFrom(buildExperimentRecord(validateScalingPlanOk({ ...SCALING, kMax: 1, models: [CAP2, 'double-missing:latest'] }), run, { unitCount: units.length }));
  assert.equal(previous.size, 2);
  assert.equal(parseExperimentRecord('{').error?.startsWith('not JSON'), true);
  assert.match(parseExperimentRecord('{"schemaVersion":1}').error ?? '', /not an experiment record/);
});

function validateScalingPlanOk(input: ScalingPlanInput) {
  const c = validateScalingPlan(input);
  assert.ok(c.ok);
  return c.plan;
}

function fakeIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => '', env: {}, cwd: mkdtempSync(join(tmpdir(), 'sp-exp-')) };
}

test('CLI scale: table, JSON and CSV output', async () => {
  const base = ['--pool', SCALING.pool.join(','), '--k-max', '4', '--per-task', '4', '--prompts', '2', '--seed', '7', '--model', CAP2, '--model', CAP5, '--method', 'logprobs', '--host', double.url, '--concurrency', '2'];
  const io = fakeIo();
  assert.equal(await scaleCommand(base, io), 0, io.err.join('\n'));
  const text = io.out.join('\n');
  assert.match(text, /Status: complete \(16\/16 units/);
  assert.match(text, /^model\s+K\s+n\s+E\[r\]\s+95% interval\s+task mass\s+tasks ≥ 0\.05\s+other$/m);
  assert.match(text, new RegExp(`^${CAP2.replace('.', '\\.')}\\s+4\\s+2\\s+2\\.00\\s+\\[2\\.00, 2\\.00\\]`, 'm'));
  assert.match(text, new RegExp(`^${CAP5.replace('.', '\\.')}\\s+4\\s+2\\s+4\\.00`, 'm'));

  // On a terminal, stderr shows one progress line per unit (rewritten in place), cleared at the end.
  const tty = fakeIo();
  const progress: string[] = [];
  assert.equal(await scaleCommand(base, { ...tty, progress: (line) => progress.push(line) }), 0);
  assert.equal(progress.length, 17, progress.join(' | '));
  assert.match(progress[0] ?? '', /^\[1\/16\] 6% · \d+ s elapsed · ~\d+ (s|min) left$/);
  assert.match(progress[15] ?? '', /^\[16\/16\] 100% · \d+ s elapsed$/);
  assert.equal(progress[16], '');
  assert.equal(fakeIo().progress, undefined, 'not a terminal: no progress lines');

  const json = fakeIo();
  assert.equal(await scaleCommand([...base, '--json'], json), 0);
  const parsed = parseExperimentRecord(json.out.join('\n'));
  assert.ok(parsed.record, parsed.error);
  assert.equal(parsed.record.kind, 'scaling');
  assert.deepEqual(strip(parsed.record.units), strip(scalingBaseline));

  const csv = fakeIo();
  assert.equal(await scaleCommand([...base, '--csv'], csv), 0);
  const lines = csv.out.join('\n').split('\n');
  assert.equal(lines[0], 'model,K,n,r_mean,r_lower,r_upper,task_mass,tasks_above_threshold,other');
  assert.equal(lines.length, 9);

  // The same plan from an experiment file gives the same units; the command line overrides the file.
  const dir = mkdtempSync(join(tmpdir(), 'sl-plan-'));
  const planPath = join(dir, 'scale.superposition.json');
  writeFileSync(planPath, serializeExperimentFile(validateScalingPlanOk({ ...SCALING, promptsPerK: 5 })));
  const fromFile = fakeIo();
  assert.equal(await scaleCommand(['--plan', planPath, '--prompts', '2', '--host', double.url, '--concurrency', '2', '--json'], fromFile), 0, fromFile.err.join('\n'));
  assert.deepEqual(strip(parseExperimentRecord(fromFile.out.join('\n')).record!.units), strip(scalingBaseline));
  const wrongKind = fakeIo();
  assert.equal(await calibrateCommand(['--plan', planPath], wrongKind), 2);
  assert.match(wrongKind.err.join('\n'), /holds a scaling experiment; run it with `superposition scale`/);
  writeFileSync(planPath, '{ "experiment": { "kind": "scaling", "pool": ["sum.digits"], "kMax": 1, "quey": 1 } }');
  const typo = fakeIo();
  assert.equal(await scaleCommand(['--plan', planPath], typo), 2);
  assert.match(typo.err.join('\n'), /scale\.superposition\.json:1:\d+: error: .*quey.*experiment\.quey/);

  const bad = fakeIo();
  assert.equal(await scaleCommand(['--pool', 'sum.digits,nope', '--k-max', '2', '--model', 'm'], bad), 2);
  assert.match(bad.err.join('\n'), /Unknown task 'nope'/);
  const noK = fakeIo();
  assert.equal(await scaleCommand(['--set', 'add-translate', '--model', 'm'], noK), 2);
  assert.match(noK.err.join('\n'), /--k-max is required/);
});

test('CLI calibrate: cancel writes a resumable --out file; --resume completes it with the same numbers', async () => {
  const io = fakeIo();
  const args = ['--tasks', 'sum.digits,sum.en', '--proportions', '0,1;0.25,0.75;0.5,0.5;0.75,0.25;1,0', '--prompts', '2', '--total', '8', '--seed', '3', '--model', CALIBRATED, '--model', MAJORITY, '--method', 'logprobs', '--host', double.url];
  const controller = new AbortController();
  // Cancel as soon as some generate requests went through.
  const timer = setInterval(() => {
    if (double.counters.generate > 0) controller.abort();
  }, 5);
  double.resetCounters();
  const code = await calibrateCommand([...args, '--out', 'cal.json'], io, controller.signal);
  clearInterval(timer);
  assert.equal(code, 3);
  assert.match(io.err.join('\n'), /--resume cal\.json/);
  const partial = parseExperimentRecord(readFileSync(join(io.cwd, 'cal.json'), 'utf8'));
  assert.equal(partial.record?.status, 'cancelled');

  const resumed = fakeIo();
  resumed.cwd = io.cwd;
  assert.equal(await calibrateCommand(['--resume', 'cal.json', '--host', double.url, '--json'], resumed), 0, resumed.err.join('\n'));
  const record = parseExperimentRecord(resumed.out.join('\n')).record;
  assert.ok(record);
  assert.equal(record.status, 'complete');
  assert.equal(record.id, partial.record?.id);
  assert.deepEqual(strip(record.units), strip(calibrationBaseline));
  // Written back to the resumed file.
  assert.equal(parseExperimentRecord(readFileSync(join(io.cwd, 'cal.json'), 'utf8')).record?.status, 'complete');

  const table = fakeIo();
  table.cwd = io.cwd;
  assert.equal(await calibrateCommand(['--resume', 'cal.json', '--host', double.url], table), 0);
  const text = table.out.join('\n');
  assert.match(text, /P\(sum\.digits\) \[95%\]/);
  assert.match(text, /Per model/);
  assert.match(text, new RegExp(`^${CALIBRATED.replace('.', '\\.')}\\s+0\\.25/0\\.75\\s+2\\s+0\\.2`, 'm'));

  const bad = fakeIo();
  assert.equal(await calibrateCommand(['--tasks', 'sum.digits,sum.en', '--proportions', '1;0,1', '--model', 'm'], bad), 2);
  assert.match(bad.err.join('\n'), /point 1 has 1 proportion/);
});

test('CLI --plan: a changed task list drops the file\'s per-task proportions; the same list keeps them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-plan-cal-'));
  const planPath = join(dir, 'cal.superposition.json');
  writeFileSync(planPath, JSON.stringify({ experiment: { kind: 'calibration', tasks: ['sum.digits', 'sum.en'], proportions: [[1, 3], [3, 1]], promptsPerPoint: 1, models: ['m'] } }));
  const planOf = async (extra: string[]) => {
    const io = fakeIo();
    // Nothing listens there: the run fails at once, but --json still prints the record with its plan.
    await calibrateCommand(['--plan', planPath, '--host', 'http://127.0.0.1:9', '--json', ...extra], io);
    const record = parseExperimentRecord(io.out.join('\n')).record;
    assert.ok(record, io.err.join('\n'));
    return record.plan;
  };
  const same = await planOf([]);
  assert.deepEqual(same.kind === 'calibration' && same.proportions, [[1, 3], [3, 1]]);
  const swapped = await planOf(['--tasks', 'sum.en,sum.digits']);
  assert.ok(swapped.kind === 'calibration');
  assert.deepEqual(swapped.tasks, ['sum.en', 'sum.digits']);
  assert.equal(swapped.proportions.length, 11, 'default proportions, not the file\'s (which were for the other order)');
});

test('progress line: the time left comes from this run\'s pace', () => {
  const lines: string[] = [];
  let now = 0;
  const onUnit = progressLine((l) => lines.push(l), 0, () => now);
  now = 10_000;
  onUnit(undefined, 1, 4);
  now = 20_000;
  onUnit(undefined, 2, 4);
  now = 240_000;
  onUnit(undefined, 4, 4);
  assert.deepEqual(lines, ['[1/4] 25% · 10 s elapsed · ~30 s left', '[2/4] 50% · 20 s elapsed · ~20 s left', '[4/4] 100% · 4 min elapsed']);
});
