// The fault matrix: every failure mode of the issue "Robustness, security and performance,
// measured", for an analysis and for a running sweep, against the Ollama TEST DOUBLE.
//
// Each cell runs the scenario on a fresh double with small timeouts and checks:
//   - the run returns (never throws) and its status follows the RULE below;
//   - a failure has a kind, a human message and a next step; `retryable` (retryableKind) is true
//     where retrying the same run can succeed once the server is back / less busy, false where the
//     request or the setup must change first (400, missing model);
//   - faults that fire mid-run keep what was measured before them: the analysis keeps the scores of
//     the answers (identical to an uninterrupted run) and is marked failed; the sweep keeps the units
//     finished before the fault (complete) and marks the unit that hit it failed; a resume
//     (`previous`) once the fault is gone gives the numbers of an uninterrupted run;
//   - nothing escapes as an unhandled rejection or uncaught exception (collected for the whole file).
// The matrix is printed at the end.
//
// RULE for the expected status. The client retries a retryable failure `RETRIES` times with
// backoff (not a first-byte timeout: a cold load would only be waited for again; not a refused
// connection: the user has to start Ollama). So:
//   - `complete` when the fault is recoverable within the run: a 503 burst no longer than the
//     retries, a single connection reset (retried), a slow first byte within the timeout;
//   - `failed` otherwise: the server is down or dies, the model is gone, 400 (never retried),
//     and every transient fault that persists beyond the retries (500, 503, error line, stall,
//     malformed line, reset) or is not retried (first byte later than the timeout).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeMix } from '../../src/core/analyze';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { ollamaTokenSource } from '../../src/core/estimate/tokenSource';
import { topCompletions } from '../../src/core/estimate/topCompletions';
import { expandScaling, validateScalingPlan, type MeasurementUnit, type ScalingPlanInput } from '../../src/core/experiments/plan';
import { buildExperimentRecord, parseExperimentRecord, resumeFrom, type UnitResult } from '../../src/core/experiments/record';
import { runExperiment, type ExperimentRun } from '../../src/core/experiments/runner';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient, type OllamaClientOptions } from '../../src/core/ollama/client';
import { classifyError, retryableKind, type OllamaErrorKind } from '../../src/core/ollama/errors';
import { RequestScheduler } from '../../src/core/ollama/scheduler';
import { RunRecordSchema, type RunRecord } from '../../src/core/record';
import { detectTasks } from '../../src/core/tasks/detect';
import { groundTruth, scriptFromAnswers, startOllamaDouble, type Fault, type OllamaDouble, type ScriptedModel } from '../double/index';

// ---------------------------------------------------------------- collectors for the whole file

const escaped: string[] = [];
process.on('unhandledRejection', (reason) => escaped.push(`unhandledRejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`));
process.on('uncaughtException', (err) => escaped.push(`uncaughtException: ${err.stack ?? err.message}`));

// ---------------------------------------------------------------- fixtures

const RETRIES = 2;
// Small, but with room for a loaded machine: a normal reply of the double takes milliseconds.
const REQUEST_TIMEOUT_MS = 1000;
const STALL_TIMEOUT_MS = 300;
const CLIENT: Omit<OllamaClientOptions, 'host'> = { retries: RETRIES, retryBaseMs: 5, requestTimeoutMs: REQUEST_TIMEOUT_MS, stallTimeoutMs: STALL_TIMEOUT_MS };

const parsed = parseMix(readFileSync(join(__dirname, '..', '..', 'examples', 'add-translate.txt'), 'utf8'), 'add-translate.txt');
assert.ok(parsed.mix);
const mix = parsed.mix;
const detection = detectTasks(mix);
const ANALYSIS_MODEL = 'double-fault-analysis:latest';
const SWEEP_MODEL = 'double-fault-sweep:latest';
const ANALYSIS_SPEC: ScriptedModel = {
  name: ANALYSIS_MODEL,
  script: [
    scriptFromAnswers(mix.prompt, [
      { text: '140', prob: 0.42 },
      { text: 'one hundred and forty', prob: 0.21 },
      { text: 'cent quarante', prob: 0.12 },
      { text: 'ciento cuarenta', prob: 0.09 },
    ]),
  ],
};

const PLAN_INPUT: ScalingPlanInput = { pool: ['sum.digits', 'sum.en'], kMin: 1, kMax: 2, examplesPerTask: 3, promptsPerK: 2, seed: 11, models: [SWEEP_MODEL], method: 'logprobs' };
const checkedPlan = validateScalingPlan(PLAN_INPUT);
assert.ok(checkedPlan.ok);
const PLAN = checkedPlan.plan;
const units: MeasurementUnit[] = expandScaling(PLAN_INPUT);
/** Units finished before a mid-run sweep fault fires. */
const UNITS_BEFORE_FAULT = 2;
const SWEEP_SPEC: ScriptedModel = {
  name: SWEEP_MODEL,
  script: [...new Set(units.map((u) => u.mix.prompt))].map((prompt) => {
    const unit = units.find((u) => u.mix.prompt === prompt)!;
    const answers = unit.detection.tasks.map((t, i) => ({ text: t.answer!, prob: i === 0 ? 0.5 : 0.3 }));
    return scriptFromAnswers(prompt, answers);
  }),
};

const startDouble = () => startOllamaDouble({ models: [ANALYSIS_SPEC, SWEEP_SPEC] });
const clientOf = (d: OllamaDouble) => new OllamaClient({ host: d.url, ...CLIENT });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What an analysis measured, without ids, times and request counts. */
const measuredOf = (r: RunRecord) => ({ tasks: r.tasks, other: r.other, metrics: r.metrics, completions: r.completions });
const scoresOf = (r: RunRecord) => r.tasks.map(({ id, probability, lower, upper, exact, steps }) => ({ id, probability, lower, upper, exact, steps }));
const stripUnits = (results: readonly UnitResult[]) => results.map(({ key, status, tasks, r, other, taskMass, kl, klNormalized, modelDigest }) => ({ key, status, tasks, r, other, taskMass, kl, klNormalized, modelDigest }));

let analysisBaseline: RunRecord | undefined;
/** Generate requests of the completion search in the uninterrupted analysis; analysis faults hit the middle one. */
let completionRequests = 0;
/** Generate requests of the whole uninterrupted analysis. */
let generateRequests = 0;
const truthOf = (answer: string, terminated = false) => groundTruth(ANALYSIS_SPEC, mix.prompt, answer, { terminated });
/** The sweep's fault hits the second generate request of the unit after UNITS_BEFORE_FAULT. */
const SWEEP_SKIP = 1;
let sweepBaseline: ExperimentRun | undefined;

// ---------------------------------------------------------------- scenarios

interface Scenario {
  fault: string;
  expect: 'complete' | 'failed';
  kind?: OllamaErrorKind;
  nextStep?: RegExp;
  retryable?: boolean;
  /** Before the run starts (the server is not running). */
  atStart?: (d: OllamaDouble) => Promise<void>;
  /**
   * Mid-run, synchronously: the fault hits generate request `skip + 1` from now (the analysis
   * calls it as the completion search starts, the sweep after UNITS_BEFORE_FAULT units).
   */
  midRun?: (d: OllamaDouble, skip: number) => void;
  /** Undo the fault (Ollama started again, model pulled, server healthy). */
  clear: (d: OllamaDouble) => Promise<void>;
}

const persistent = RETRIES + 1;
/** Faults are taken in queue order: `skip` harmless ones (no delay) let that many requests through first. */
function pass(d: OllamaDouble, skip: number): void {
  if (skip > 0) d.inject({ kind: 'slowFirstByte', delayMs: 0, count: skip });
}
const inject = (fault: Fault) => (d: OllamaDouble, skip: number) => {
  pass(d, skip);
  d.inject(fault);
};
const clearFaults = async (d: OllamaDouble) => d.clearFaults();

/** Polls stopped at the end of each cell. */
const polls = new Set<ReturnType<typeof setInterval>>();
/** Runs `action` while request `skip + 1` from now is in flight (its first byte held back by `delayMs`, an odd number as a marker). */
function whileInFlight(d: OllamaDouble, skip: number, delayMs: number, action: () => void): void {
  pass(d, skip);
  d.inject({ kind: 'slowFirstByte', delayMs });
  const poll = setInterval(() => {
    if (d.faults.some((f) => f.kind === 'slowFirstByte' && f.delayMs === delayMs)) return;
    clearInterval(poll);
    polls.delete(poll);
    action();
  }, 2);
  polls.add(poll);
}
function stopPolls(): void {
  for (const poll of polls) clearInterval(poll);
  polls.clear();
}

const SCENARIOS: Scenario[] = [
  {
    fault: 'server not running',
    expect: 'failed',
    kind: 'not-running',
    nextStep: /Start Ollama/,
    retryable: true,
    atStart: (d) => d.suspend(),
    clear: (d) => d.resume(),
  },
  {
    fault: 'dies mid-run',
    expect: 'failed',
    kind: 'not-running',
    nextStep: /Start Ollama/,
    retryable: true,
    // The server goes away while a generate request is in flight: reset, retried, then refused.
    midRun: (d, skip) => whileInFlight(d, skip, REQUEST_TIMEOUT_MS - 1, () => void d.suspend()),
    clear: async (d) => {
      d.clearFaults();
      await d.resume();
    },
  },
  {
    fault: '404 model (removed)',
    expect: 'failed',
    kind: 'model-not-found',
    nextStep: /ollama pull/,
    retryable: false,
    // `ollama rm` while a generate request is in flight: the next request meets a 404.
    midRun: (d, skip) =>
      whileInFlight(d, skip, REQUEST_TIMEOUT_MS / 4 - 1, () => {
        d.removeModel(ANALYSIS_MODEL);
        d.removeModel(SWEEP_MODEL);
      }),
    clear: async (d) => {
      d.clearFaults();
      d.addModel(ANALYSIS_SPEC);
      d.addModel(SWEEP_SPEC);
    },
  },
  { fault: '400 bad request', expect: 'failed', kind: 'bad-request', nextStep: /Check the model and the options/, retryable: false, midRun: inject({ kind: 'status', status: 400, error: 'invalid options' }), clear: clearFaults },
  { fault: '500 (persistent)', expect: 'failed', kind: 'server-error', nextStep: /server log/, retryable: true, midRun: inject({ kind: 'status', status: 500, error: 'llama runner process has terminated', count: persistent }), clear: clearFaults },
  { fault: `503 burst ≤ retries (${RETRIES})`, expect: 'complete', midRun: inject({ kind: 'status', status: 503, count: RETRIES }), clear: clearFaults },
  { fault: `503 burst > retries (${persistent})`, expect: 'failed', kind: 'overloaded', nextStep: /Wait and retry/, retryable: true, midRun: inject({ kind: 'status', status: 503, count: persistent }), clear: clearFaults },
  {
    fault: 'error line in 200 stream',
    expect: 'failed',
    kind: 'stream-error',
    nextStep: /retry/,
    retryable: true,
    midRun: inject({ kind: 'errorMidStream', afterChunks: 1, error: 'an error was encountered while running the model', count: persistent }),
    clear: clearFaults,
  },
  { fault: 'stream stalls', expect: 'failed', kind: 'stalled', nextStep: /retry/, retryable: true, midRun: inject({ kind: 'stall', afterChunks: 1, count: persistent }), clear: clearFaults },
  {
    fault: 'first byte > timeout (cold)',
    expect: 'failed',
    kind: 'timeout-first-byte',
    nextStep: /raise the request timeout/,
    retryable: true,
    midRun: inject({ kind: 'slowFirstByte', delayMs: REQUEST_TIMEOUT_MS * 4 }),
    clear: clearFaults,
  },
  { fault: 'first byte < timeout (control)', expect: 'complete', midRun: inject({ kind: 'slowFirstByte', delayMs: REQUEST_TIMEOUT_MS / 4 }), clear: clearFaults },
  { fault: 'malformed NDJSON line', expect: 'failed', kind: 'malformed-stream', nextStep: /retry/, retryable: true, midRun: inject({ kind: 'malformedLine', afterChunks: 1, count: persistent }), clear: clearFaults },
  {
    // A non-streaming reply cut short (the model details every analysis and unit reads first).
    fault: 'malformed JSON reply (show)',
    expect: 'failed',
    kind: 'malformed-stream',
    nextStep: /retry/,
    retryable: true,
    atStart: async (d) => d.inject({ kind: 'malformedLine', afterChunks: 0, path: '/api/show', count: persistent }),
    clear: clearFaults,
  },
  { fault: 'connection reset (once)', expect: 'complete', midRun: inject({ kind: 'reset', afterChunks: 1 }), clear: clearFaults },
  { fault: 'connection reset (persistent)', expect: 'failed', kind: 'connection-reset', nextStep: /retry/, retryable: true, midRun: inject({ kind: 'reset', afterChunks: 1, count: persistent }), clear: clearFaults },
];

// ---------------------------------------------------------------- the matrix

interface Cell {
  status: string;
  kind: string;
  nextStep: string;
  retryable: string;
  partial: string;
}
const matrix = new Map<string, { analysis?: Cell; sweep?: Cell }>();
const row = (fault: string) => matrix.get(fault) ?? matrix.set(fault, {}).get(fault)!;

function checkError(s: Scenario, error: { kind: string; message: string; nextStep?: string } | undefined, where: string): Pick<Cell, 'kind' | 'nextStep' | 'retryable'> {
  if (s.expect === 'complete') {
    assert.equal(error, undefined, `${where}: no error expected`);
    return { kind: '-', nextStep: '-', retryable: '-' };
  }
  assert.ok(error, `${where}: an error is expected`);
  assert.equal(error.kind, s.kind, `${where}: ${error.message}`);
  assert.ok(error.message.length > 10 && !/undefined|\[object /.test(error.message), `${where}: a human message, got "${error.message}"`);
  assert.ok(error.nextStep && error.nextStep.trim().length > 0, `${where}: a next step`);
  assert.match(error.nextStep, s.nextStep!, where);
  assert.equal(retryableKind(error.kind), s.retryable, `${where}: retryable`);
  return { kind: error.kind, nextStep: error.nextStep, retryable: retryableKind(error.kind) ? 'yes' : 'no' };
}

test('baselines: an uninterrupted analysis and sweep', async () => {
  const d = await startDouble();
  try {
    let atCompletions = 0;
    analysisBaseline = await analyzeMix(clientOf(d), mix, detection, {
      model: ANALYSIS_MODEL,
      onProgress: (message) => {
        if (message === 'Finding the most probable completions') atCompletions = d.counters.generate;
      },
    });
    assert.equal(analysisBaseline.status, 'complete', analysisBaseline.error?.message);
    assert.ok(analysisBaseline.completions.length > 0 && analysisBaseline.metrics.r !== null);
    completionRequests = d.counters.generate - atCompletions;
    assert.ok(completionRequests >= 4, `the completion search sends requests (${completionRequests})`);
    generateRequests = d.counters.generate;
    sweepBaseline = await runExperiment(units, { clients: [clientOf(d)] });
    assert.equal(sweepBaseline.status, 'complete', sweepBaseline.error?.message);
    assert.equal(sweepBaseline.results.length, units.length);
    assert.ok(units.length > UNITS_BEFORE_FAULT + 1);
  } finally {
    await d.close();
  }
});

for (const s of SCENARIOS) {
  test(`analysis × ${s.fault}`, async () => {
    const baseline = analysisBaseline;
    assert.ok(baseline, 'baseline');
    const d = await startDouble();
    try {
      await s.atStart?.(d);
      let fired = false;
      let partialSeen: RunRecord | undefined;
      const record = await analyzeMix(clientOf(d), mix, detection, {
        model: ANALYSIS_MODEL,
        onPartial: (r) => (partialSeen = r),
        onProgress: (message) => {
          if (message === 'Finding the most probable completions' && !fired && s.midRun) {
            fired = true;
            s.midRun(d, Math.floor(completionRequests / 2));
          }
        },
      });
      const where = `analysis × ${s.fault}`;
      assert.equal(RunRecordSchema.safeParse(record).success, true, `${where}: a valid record`);
      assert.equal(record.status, s.expect, `${where}: ${record.error?.kind} ${record.error?.message}`);
      const error = checkError(s, record.error, where);
      let partial: string;
      if (s.expect === 'complete') {
        assert.deepEqual(measuredOf(record), measuredOf(baseline), `${where}: same numbers as an uninterrupted run`);
        partial = `${record.tasks.length}/${record.tasks.length} tasks`;
      } else if (s.midRun) {
        assert.ok(fired, `${where}: the fault fired mid-run`);
        // Scored before the fault: identical values and bounds; the record is marked failed.
        assert.deepEqual(scoresOf(record), scoresOf(baseline), `${where}: the scores measured before the fault are kept`);
        assert.ok(partialSeen && partialSeen.status === 'complete' && partialSeen.tasks.every((t) => t.exact || t.upper > t.lower));
        for (const t of record.tasks) {
          const truth = truthOf(t.answer);
          assert.ok(t.lower <= truth + 1e-6 && truth <= t.upper + 1e-6, `${where}: ${t.id} bounds [${t.lower}, ${t.upper}] hold ${truth}`);
        }
        // The completions found before the search was cut are kept, each a lower bound of its
        // probability; r needs the whole top K, so a cut search reports none.
        for (const c of record.completions) {
          const truth = truthOf(c.text, true);
          assert.ok(c.probability <= truth * (1 + 1e-5) + 1e-9, `${where}: completion ${JSON.stringify(c.text)} ${c.probability} ≤ ${truth}`);
        }
        assert.equal(record.metrics.r, null, `${where}: no r from a cut completion search`);
        partial = `${record.tasks.filter((t) => t.steps && t.steps.length > 0).length}/${record.tasks.length} tasks, ${record.completions.length} compl.`;
      } else {
        // Nothing could be measured: every task keeps the honest bounds [0, 1].
        assert.ok(record.tasks.every((t) => t.lower === 0 && t.upper === 1));
        partial = 'n/a (none)';
      }
      if (s.expect === 'failed') {
        // Retry once the fault is gone: the same numbers as an uninterrupted run.
        await s.clear(d);
        const again = await analyzeMix(clientOf(d), mix, detection, { model: ANALYSIS_MODEL });
        assert.equal(again.status, 'complete', `${where}: retry after the fault: ${again.error?.message}`);
        assert.deepEqual(measuredOf(again), measuredOf(baseline), `${where}: the retry gives the same numbers`);
      }
      row(s.fault).analysis = { status: record.status, ...error, partial };
    } finally {
      stopPolls();
      await d.close();
    }
  });

  test(`sweep × ${s.fault}`, async () => {
    const baseline = sweepBaseline;
    assert.ok(baseline, 'baseline');
    const d = await startDouble();
    try {
      await s.atStart?.(d);
      let fired = false;
      const run = await runExperiment(units, {
        clients: [clientOf(d)],
        onUnit: (_r, done) => {
          if (done === UNITS_BEFORE_FAULT && !fired && s.midRun) {
            fired = true;
            s.midRun(d, SWEEP_SKIP);
          }
        },
      });
      const where = `sweep × ${s.fault}`;
      assert.equal(run.status, s.expect, `${where}: ${run.error?.kind} ${run.error?.message}`);
      const error = checkError(s, run.error, where);
      const complete = run.results.filter((r) => r.status === 'complete');
      let partial: string;
      if (s.expect === 'complete') {
        assert.deepEqual(stripUnits(run.results), stripUnits(baseline.results), `${where}: same numbers as an uninterrupted run`);
        partial = `${complete.length}/${units.length} units`;
      } else {
        const expectedComplete = s.midRun ? UNITS_BEFORE_FAULT : 0;
        if (s.midRun) assert.ok(fired, `${where}: the fault fired mid-run`);
        // Finished units are kept as they were; the unit that hit the fault is marked failed.
        assert.deepEqual(stripUnits(complete), stripUnits(baseline.results.slice(0, expectedComplete)), `${where}: units finished before the fault are kept`);
        const failedUnits = run.results.filter((r) => r.status === 'failed');
        assert.equal(failedUnits.length, 1, `${where}: one failed unit`);
        assert.equal(failedUnits[0]!.error?.kind, s.kind);
        // Its partial numbers are honest bounds, and stay out of the aggregates.
        const failedUnit = units.find((u) => u.key === failedUnits[0]!.key)!;
        for (const t of failedUnits[0]!.tasks) {
          const truth = groundTruth(SWEEP_SPEC, failedUnit.mix.prompt, t.answer);
          assert.ok(t.lower <= truth + 1e-6 && truth <= t.upper + 1e-6, `${where}: failed unit ${t.id} [${t.lower}, ${t.upper}] holds ${truth}`);
        }
        // The failure stops the sweep: nothing after the failed unit was measured.
        assert.equal(run.results.length, expectedComplete + 1);
        // Save, load and resume once the fault is gone: the numbers of an uninterrupted run.
        const saved = parseExperimentRecord(JSON.stringify(buildExperimentRecord(PLAN, run, { unitCount: units.length })));
        assert.ok(saved.record, saved.error);
        assert.equal(saved.record.status, 'failed');
        assert.equal((saved.record.aggregates.scaling ?? []).reduce((a, g) => a + g.n, 0), expectedComplete, `${where}: aggregates count complete units only`);
        const previous = resumeFrom(saved.record);
        assert.equal(previous.size, expectedComplete);
        await s.clear(d);
        const resumed = await runExperiment(units, { clients: [clientOf(d)], previous });
        assert.equal(resumed.status, 'complete', `${where}: resume: ${resumed.error?.message}`);
        assert.equal(resumed.reused, expectedComplete);
        assert.deepEqual(stripUnits(resumed.results), stripUnits(baseline.results), `${where}: the resumed sweep gives the same numbers`);
        partial = s.midRun ? `${complete.length}/${units.length} units, resumed` : `0/${units.length} units, resumed`;
      }
      row(s.fault).sweep = { status: run.status, ...error, partial };
    } finally {
      stopPolls();
      await d.close();
    }
  });
}

test('analysis: a fault at any request keeps every reply that arrived before it', async () => {
  const baseline = analysisBaseline;
  assert.ok(baseline && generateRequests > completionRequests);
  const d = await startDouble();
  try {
    const width = (r: RunRecord) => r.tasks.reduce((a, t) => a + (t.upper - t.lower), 0);
    let previousWidth = Number.POSITIVE_INFINITY;
    let previousCompletions = 0;
    for (let at = 0; at < generateRequests; at++) {
      d.clearFaults();
      pass(d, at);
      d.inject({ kind: 'status', status: 400, error: 'invalid options' });
      const record = await analyzeMix(clientOf(d), mix, detection, { model: ANALYSIS_MODEL });
      const where = `400 at generate request ${at + 1}/${generateRequests}`;
      assert.equal(record.status, 'failed', where);
      assert.equal(record.error?.kind, 'bad-request', where);
      for (const t of record.tasks) {
        const truth = truthOf(t.answer);
        assert.ok(t.lower <= truth + 1e-6 && truth <= t.upper + 1e-6, `${where}: ${t.id} [${t.lower}, ${t.upper}] holds ${truth}`);
      }
      // Each reply that arrived narrows the intervals (never widens them).
      assert.ok(width(record) <= previousWidth + 1e-12, `${where}: width ${width(record)} after ${previousWidth}`);
      previousWidth = width(record);
      if (at >= generateRequests - completionRequests) assert.deepEqual(scoresOf(record), scoresOf(baseline), `${where}: scoring had finished`);
      for (const c of record.completions) assert.ok(c.probability <= truthOf(c.text, true) * (1 + 1e-5) + 1e-9, `${where}: completion ${JSON.stringify(c.text)}`);
      assert.ok(record.completions.length >= previousCompletions, `${where}: completions found earlier are kept`);
      previousCompletions = record.completions.length;
      assert.equal(record.metrics.r, null, `${where}: no r from a cut completion search`);
    }
    assert.ok(previousCompletions > 0, 'a search cut at its last request keeps the completions found');
    assert.ok(previousWidth < width(baseline) + 0.05, 'scoring cut late is nearly as tight as a full one');
  } finally {
    await d.close();
  }
});

test('a request failing inside a level keeps the replies of that level that arrived', async () => {
  // Root: a | b | c; each is followed by a newline or one more letter. Requests go out in the
  // scheduler's order: root, then a, b, c (one level); the fault hits c, after a and b answered.
  const prompt = 'level test->';
  const spec: ScriptedModel = {
    name: 'double-fault-level',
    // No vocabulary tail: every node's whole distribution is listed, so a walked answer is exact.
    vocabulary: { size: 0 },
    script: [
      {
        prompt,
        nodes: {
          '': [{ token: 'a', prob: 0.5 }, { token: 'b', prob: 0.3 }, { token: 'c', prob: 0.2 }],
          a: [{ token: '\n', prob: 0.6 }, { token: 'x', prob: 0.4 }],
          b: [{ token: '\n', prob: 0.5 }, { token: 'y', prob: 0.5 }],
          c: [{ token: '\n', prob: 0.7 }, { token: 'z', prob: 0.3 }],
        },
      },
    ],
  };
  const d = await startOllamaDouble({ models: [spec], float32Logprobs: false });
  try {
    const source = () => ollamaTokenSource(new OllamaClient({ host: d.url, retries: 0 }), new RequestScheduler(1), spec.name, prompt);
    const cutAtC = () => {
      d.clearFaults();
      pass(d, 3);
      d.inject({ kind: 'status', status: 500, error: 'llama runner process has terminated' });
    };
    cutAtC();
    const scored = await scoreAnswers(source(), ['ax', 'by', 'cz']);
    assert.equal(scored.complete, false);
    assert.equal(classifyError(scored.error, { host: d.url }).kind, 'server-error');
    const [ax, by, cz] = scored.scores;
    assert.ok(ax && by && cz);
    assert.ok(ax.exact && Math.abs(ax.lower - 0.2) < 1e-12, `ax kept exact: ${JSON.stringify(ax)}`);
    assert.ok(by.exact && Math.abs(by.lower - 0.15) < 1e-12, `by kept exact: ${JSON.stringify(by)}`);
    assert.ok(!cz.exact && cz.lower === 0 && Math.abs(cz.upper - 0.2) < 1e-12, `cz not walked: ${JSON.stringify(cz)}`);

    cutAtC();
    const top = await topCompletions(source(), { k: 3 });
    assert.equal(top.complete, false);
    assert.deepEqual(
      top.completions.map((c) => [c.text, Math.round(c.probability * 1e12) / 1e12]),
      [['a', 0.3], ['b', 0.15]],
      'the completions ended by the replies that arrived are kept',
    );
  } finally {
    await d.close();
  }
});

test('no unhandled rejection or uncaught exception; the matrix', async () => {
  // Let late timers and socket events of the last cells run.
  await sleep(REQUEST_TIMEOUT_MS);
  const cols = (c: Cell | undefined) => (c ? [c.status, c.kind, c.nextStep.length > 34 ? `${c.nextStep.slice(0, 33)}…` : c.nextStep, c.retryable, c.partial] : ['?', '?', '?', '?', '?']);
  const header = ['fault', 'analysis', 'error kind', 'next step', 'retry', 'partial kept', 'sweep', 'error kind', 'next step', 'retry', 'partial kept'];
  const rows = SCENARIOS.map((s) => [s.fault, ...cols(matrix.get(s.fault)?.analysis), ...cols(matrix.get(s.fault)?.sweep)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  console.log(['', 'Fault matrix (analysis | sweep)', line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...rows.map(line), ''].join('\n'));
  assert.deepEqual(escaped, [], escaped.join('\n'));
  assert.equal(matrix.size, SCENARIOS.length, 'every row was measured');
  for (const s of SCENARIOS) assert.ok(matrix.get(s.fault)?.analysis && matrix.get(s.fault)?.sweep, `${s.fault}: both cells`);
});
