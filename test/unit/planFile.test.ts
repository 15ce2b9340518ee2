// Experiment files (`*.superposition.json` with an `experiment` object): parsing, positioned
// diagnostics, defaults, round trip, and how the prompt-mix parser treats them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateCalibrationPlan, validateScalingPlan } from '../../src/core/experiments/plan';
import { isExperimentFileText } from '../../src/core/experiments/fileKind';
import { parseExperimentFile, serializeExperimentFile } from '../../src/core/experiments/planFile';
import { parseMix } from '../../src/core/mix/parse';

test('a minimal scaling file gets the plan defaults; models come from the file or the default', () => {
  const text = '{\n  "experiment": { "kind": "scaling", "pool": ["sum.digits", "sum.en", "sum.fr"], "kMax": 3 }\n}\n';
  const noModels = parseExperimentFile(text);
  assert.equal(noModels.plan, undefined);
  assert.equal(noModels.draft?.kind, 'scaling');
  assert.match(noModels.diagnostics[0]!.message, /no `models`/);

  const parsed = parseExperimentFile(text, { defaultModels: ['llama3.2'] });
  assert.deepEqual(parsed.diagnostics, []);
  const expected = validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMax: 3, models: ['llama3.2'] });
  assert.ok(expected.ok);
  assert.deepEqual(parsed.plan, expected.plan);
  assert.equal(parsed.plan?.kind === 'scaling' && parsed.plan.promptsPerK, 20);
});

test('serialize → parse gives the same plan for both kinds', () => {
  const scaling = validateScalingPlan({ pool: ['country.capital', 'country.continent'], kMax: 2, kMin: 1, promptsPerK: 7, examplesPerTask: 9, seed: 42, models: ['a', 'b'], method: 'sampling', samples: 50, threshold: 0.1 });
  const calibration = validateCalibrationPlan({ tasks: ['sum.digits', 'sum.en', 'sum.fr'], proportions: [[1, 1, 1], [2, 1, 0]], promptsPerPoint: 3, totalExamples: 30, seed: 5, models: ['m'] });
  assert.ok(scaling.ok && calibration.ok);
  for (const plan of [scaling.plan, calibration.plan]) {
    const text = serializeExperimentFile(plan, 'round trip');
    assert.ok(isExperimentFileText(text));
    const back = parseExperimentFile(text);
    assert.deepEqual(back.diagnostics, []);
    assert.deepEqual(back.plan, plan);
  }
});

test('schema problems point at the JSON path and its position', () => {
  const typo = parseExperimentFile('{\n  "experiment": {\n    "kind": "scaling",\n    "pool": ["sum.digits"],\n    "kMax": 1,\n    "quey": 2\n  }\n}', { defaultModels: ['m'] });
  assert.equal(typo.plan, undefined);
  const d = typo.diagnostics[0]!;
  assert.equal(d.path, 'experiment.quey');
  assert.equal(d.line, 6);
  assert.match(d.message, /allowed here: `kind`, `pool`, `kMax`/);

  const kind = parseExperimentFile('{ "experiment": { "kind": "sweep" } }');
  assert.equal(kind.diagnostics[0]!.path, 'experiment.kind');
  assert.match(kind.diagnostics[0]!.message, /"kind": "scaling"` or `"kind": "calibration"/);

  const missing = parseExperimentFile('{ "experiment": { "kind": "calibration", "models": ["m"] } }');
  assert.match(missing.diagnostics[0]!.message, /missing required property `tasks`/);

  const negative = parseExperimentFile('{ "experiment": { "kind": "scaling", "pool": ["sum.digits"], "kMax": 0, "models": ["m"] } }');
  assert.equal(negative.diagnostics[0]!.path, 'experiment.kMax');
});

test('plan-level problems (unknown tasks, mixed input formats, kMax above the pool) are reported, not thrown', () => {
  const unknown = parseExperimentFile('{ "experiment": { "kind": "scaling", "pool": ["sum.digits", "nope"], "kMax": 3, "models": ["m"] } }');
  const messages = unknown.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /Unknown task 'nope'/);
  assert.match(messages, /kMax \(3\) is larger than the task pool/);
  assert.ok(unknown.diagnostics.every((d) => d.code === 'plan' && d.severity === 'error'));
  const mixed = parseExperimentFile('{ "experiment": { "kind": "calibration", "tasks": ["sum.digits", "country.capital"], "models": ["m"] } }');
  assert.match(mixed.diagnostics.map((d) => d.message).join('\n'), /share one input format/);
});

test('bad text never throws: invalid JSON, arrays, empty, binary', () => {
  for (const text of ['', '{', '[]', 'null', '{"experiment": 1}', '\u0000\u0001binary', '{"experiment":{"kind":"scaling","pool":[],"kMax":1}}']) {
    const result = parseExperimentFile(text);
    assert.equal(result.plan, undefined, text);
    assert.ok(result.diagnostics.length > 0, text);
  }
});

test('the prompt-mix parser recognises an experiment file and says how to run it', () => {
  const text = '{ "experiment": { "kind": "scaling", "pool": ["sum.digits"], "kMax": 1 } }';
  const parsed = parseMix(text, 'plan.superposition.json');
  assert.equal(parsed.mix, undefined);
  assert.equal(parsed.diagnostics[0]!.code, 'experiment-file');
  assert.match(parsed.diagnostics[0]!.message, /Run Experiment File/);
  assert.equal(isExperimentFileText('{ "examples": [], "query": "experiment" }'), false);
  assert.equal(isExperimentFileText('{ "note": "\\"experiment\\": 1" }'), false);
});

test('the shipped example experiment files are valid plans', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  for (const name of ['scaling-sums', 'calibration-sums']) {
    const parsed = parseExperimentFile(readFileSync(join(__dirname, '..', '..', 'examples', `${name}.superposition.json`), 'utf8'), { defaultModels: ['m'] });
    assert.deepEqual(parsed.diagnostics, [], name);
    assert.ok(parsed.plan, name);
  }
});
