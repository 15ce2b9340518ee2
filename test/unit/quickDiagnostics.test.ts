import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMix } from '../../src/core/mix/parse';
import type { PromptMix } from '../../src/core/mix/types';
import { DEFAULT_THRESHOLDS, fixTitle, measurementDiagnostics, type MeasurementDiagnostic } from '../../src/core/quick/measurementRules';
import type { RunRecord } from '../../src/core/record';
import { detectTasks, type Detection } from '../../src/core/tasks/detect';
import { sampleRecord } from './fixtures';

function mixOf(lines: string[], fileName?: string): { mix: PromptMix; detection: Detection } {
  const parsed = parseMix(lines.join('\n'), fileName);
  assert.ok(parsed.mix, JSON.stringify(parsed.diagnostics));
  return { mix: parsed.mix, detection: detectTasks(parsed.mix) };
}

/** A record of this mix with these task probabilities (other = 1 − Σ distinct answers). */
function recordFor(mix: PromptMix, detection: Detection, probs: number[], overrides: Partial<RunRecord> = {}): RunRecord {
  const tasks = detection.tasks.map((t, i) => {
    const p = probs[i] ?? 0;
    return { id: t.id, label: t.label, answer: t.answer ?? '', share: t.share, examples: t.count, probability: p, lower: p, upper: p, exact: true };
  });
  const distinct = new Map(tasks.map((t) => [t.answer, t.probability] as const));
  const mass = [...distinct.values()].reduce((a, b) => a + b, 0);
  const examples = mix.examples.map((e, i) => ({ input: e.input, output: e.output, line: e.line, tasks: detection.matches[i]?.tasks ?? [] }));
  return sampleRecord('r1', undefined, {
    input: { prompt: mix.prompt, separator: mix.separator, query: mix.query, examples },
    tasks,
    other: { probability: 1 - mass, lower: 1 - mass, upper: 1 - mass },
    metrics: { kl: 0, klNormalized: 0, r: 1, K: tasks.length, entropy: 0, taskMass: mass },
    ...overrides,
  });
}

function codes(ds: MeasurementDiagnostic[]): string[] {
  return ds.map((d) => d.code);
}

// Two tasks, digits (lines 1, 3) and English words (line 2, 4), query on line 5: shares 0.5 / 0.5.
const TWO = ['75+72->147', '15+43->fifty-eight', '12+10->22', '20+21->forty-one', '60+21->'];
// Four tasks, one example each: shares 0.25 each.
const FOUR = ['75+72->147', '15+43->fifty-eight', '71+55->cent vingt-six', '59+63->ciento veintidós', '60+21->'];

test('split fires at 10 % / 10 % with the labels, on the query line, with one remove fix per task and convert', () => {
  const { mix, detection } = mixOf(TWO);
  const ds = measurementDiagnostics(recordFor(mix, detection, [0.1, 0.1]), mix, detection, { otherMin: 2 });
  assert.deepEqual(codes(ds), ['split']);
  const d = ds[0]!;
  assert.equal(d.severity, 'info');
  assert.equal(d.message, 'The model splits its answer: 10% A+B as digits vs 10% A+B in English words — is the mix intended?');
  assert.deepEqual([d.line, d.column, d.endColumn], [5, 1, '60+21->'.length + 1]);
  assert.deepEqual(d.fixes, [
    { kind: 'remove-task-examples', taskId: 'sum.digits', label: 'A+B as digits' },
    { kind: 'remove-task-examples', taskId: 'sum.en', label: 'A+B in English words' },
    { kind: 'to-structured' },
  ]);
  assert.match(fixTitle(d.fixes[0]!), /Remove the examples of A\+B as digits/);
});

test('split orders by probability and does not fire below 10 %', () => {
  const { mix, detection } = mixOf(TWO);
  const fired = measurementDiagnostics(recordFor(mix, detection, [0.2, 0.42]), mix, detection);
  assert.match(fired.find((d) => d.code === 'split')!.message, /: 42% A\+B in English words vs 20% A\+B as digits —/);
  assert.deepEqual(codes(measurementDiagnostics(recordFor(mix, detection, [0.85, 0.099]), mix, detection)), []);
  // A custom threshold moves the line.
  assert.deepEqual(codes(measurementDiagnostics(recordFor(mix, detection, [0.85, 0.099]), mix, detection, { splitMin: 0.05 })), ['split']);
});

test('split counts tasks with the same answer once', () => {
  // sum.digits and ab.copy1 both answer '11' for 11@00 (shares 1/3 each with ab.copy2).
  const { mix, detection } = mixOf(['96@55=151', '88@46=88', '63@93=93', '11@00=']);
  assert.deepEqual(detection.tasks.map((t) => t.answer), ['11', '11', '00']);
  const ds = measurementDiagnostics(recordFor(mix, detection, [0.5, 0.5, 0.05]), mix, detection);
  assert.ok(!codes(ds).includes('split'), JSON.stringify(ds));
});

test('absorb fires at +0.3 with 2× the share, not just below either threshold', () => {
  const { mix, detection } = mixOf(FOUR);
  const rec = (p0: number): RunRecord => recordFor(mix, detection, [p0, (1 - p0) / 3, (1 - p0) / 3, (1 - p0) / 3]);
  const fired = measurementDiagnostics(rec(0.55), mix, detection).filter((d) => d.code === 'absorb');
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.message, 'sum.digits takes 55% of the task mass with 25% of the examples');
  assert.equal(fired[0]!.severity, 'warning');
  assert.equal(fired[0]!.line, 5);
  assert.deepEqual(fired[0]!.related?.map((r) => r.line), [1]);
  assert.deepEqual(fired[0]!.fixes, [], 'a balanced mix has nothing to balance');
  assert.ok(!codes(measurementDiagnostics(rec(0.54), mix, detection)).includes('absorb'));
});

test('absorb uses the share of the task mass, not the raw probability', () => {
  const { mix, detection } = mixOf(FOUR);
  // 0.3 of 0.5 task mass is 60 %: absorbs although its probability is only 0.3.
  const ds = measurementDiagnostics(recordFor(mix, detection, [0.3, 0.2 / 3, 0.2 / 3, 0.2 / 3]), mix, detection);
  assert.match(ds.find((d) => d.code === 'absorb')?.message ?? '', /takes 60% of the task mass/);
});

test('absorb needs the ratio too: 40 % share → 75 % does not fire, 80 % does (with balance)', () => {
  // digits 3 examples, English 2: shares 0.6 / 0.4.
  const { mix, detection } = mixOf(['75+72->147', '15+43->fifty-eight', '12+10->22', '20+21->forty-one', '30+31->61', '60+21->']);
  assert.deepEqual(detection.tasks.map((t) => t.share), [0.6, 0.4]);
  assert.ok(!codes(measurementDiagnostics(recordFor(mix, detection, [0.25, 0.75]), mix, detection)).includes('absorb'));
  const fired = measurementDiagnostics(recordFor(mix, detection, [0.2, 0.8]), mix, detection).find((d) => d.code === 'absorb');
  assert.equal(fired?.message, 'sum.en takes 80% of the task mass with 40% of the examples');
  assert.deepEqual(fired?.fixes, [{ kind: 'balance-mix' }]);
  assert.deepEqual(fired?.related?.map((r) => r.line), [2, 4]);
});

test('absorb needs the excess too: 10 % share → 35 % (3.5×) does not fire, 40 % does', () => {
  const lines = ['15+43->fifty-eight', ...Array.from({ length: 9 }, (_, i) => `${10 + i}+20->${30 + i}`), '60+21->'];
  const { mix, detection } = mixOf(lines);
  assert.deepEqual(detection.tasks.map((t) => [t.id, t.share]), [['sum.digits', 0.9], ['sum.en', 0.1]]);
  assert.ok(!codes(measurementDiagnostics(recordFor(mix, detection, [0.65, 0.35]), mix, detection)).includes('absorb'));
  assert.ok(codes(measurementDiagnostics(recordFor(mix, detection, [0.6, 0.4]), mix, detection)).includes('absorb'));
});

test('other fires at 50 % with what it may mean and no destructive fix; not at 49 %', () => {
  const { mix, detection } = mixOf(TWO);
  const ds = measurementDiagnostics(recordFor(mix, detection, [0.45, 0.05]), mix, detection);
  const d = ds.find((x) => x.code === 'other');
  assert.ok(d, JSON.stringify(ds));
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /^50% of the probability goes to no task's answer: .*format.*query.*too small/);
  assert.deepEqual(d.fixes, [{ kind: 'to-structured' }]);
  assert.ok(!codes(measurementDiagnostics(recordFor(mix, detection, [0.46, 0.05]), mix, detection)).includes('other'));
});

test('other reads the lower bound of a logprobs run and the frequency of a sampling run', () => {
  const { mix, detection } = mixOf(TWO);
  const base = recordFor(mix, detection, [0.3, 0.1]);
  const wide = { ...base, other: { probability: 0.6, lower: 0.3, upper: 0.6 } };
  assert.ok(!codes(measurementDiagnostics(wide, mix, detection)).includes('other'));
  assert.ok(codes(measurementDiagnostics({ ...wide, method: 'sampling' }, mix, detection)).includes('other'));
});

test('collide: identical answers and prefixes fire (with pick-distinct-query); distinct answers do not', () => {
  const same = mixOf(['96@55=151', '88@46=88', '63@93=93', '11@00=']);
  const d = measurementDiagnostics(recordFor(same.mix, same.detection, [0.4, 0.4, 0.3]), same.mix, same.detection).find((x) => x.code === 'collide');
  assert.equal(d?.message, "The query's answers collide: sum.digits and ab.copy1 both answer '11'. Their probabilities cannot be told apart; pick a query whose answers differ.");
  assert.deepEqual(d?.fixes, [{ kind: 'pick-distinct-query' }]);
  assert.equal(d?.line, 4);
  // 10@95: copy1 '10' is a prefix of the sum '105'.
  const prefix = mixOf(['96@55=151', '88@46=88', '63@93=93', '10@95=']);
  const rec = recordFor(prefix.mix, prefix.detection, [0.4, 0.3, 0.2]);
  const p = measurementDiagnostics(rec, prefix.mix, prefix.detection).find((x) => x.code === 'collide');
  assert.match(p?.message ?? '', /'10' \(ab\.copy1\) is a prefix of '105' \(sum\.digits\)/);
  // A terminated logprobs run scores '10' as a whole answer: no prefix collision.
  const terminated = { ...rec, options: { ...rec.options, terminated: true } };
  assert.ok(!codes(measurementDiagnostics(terminated, prefix.mix, prefix.detection)).includes('collide'));
  const distinct = mixOf(['96@55=151', '88@46=88', '63@93=93', '32@36=']);
  assert.ok(!codes(measurementDiagnostics(recordFor(distinct.mix, distinct.detection, [0.4, 0.3, 0.2]), distinct.mix, distinct.detection)).includes('collide'));
});

test('odd records give nothing and never throw', () => {
  const { mix, detection } = mixOf(TWO);
  const ok = recordFor(mix, detection, [0.4, 0.4]);
  assert.deepEqual(codes(measurementDiagnostics(ok, mix, detection)), ['split']);
  const none = (r: RunRecord): void => assert.deepEqual(measurementDiagnostics(r, mix, detection), [], JSON.stringify(r.tasks));
  none({ ...ok, status: 'failed' });
  none({ ...ok, tasks: [] });
  none({ ...ok, input: { ...ok.input, prompt: `${mix.prompt}x` } }); // another prompt: the file changed
  // Cancelled before any measurement: every interval is [0, 1].
  none({ ...ok, status: 'cancelled', tasks: ok.tasks.map((t) => ({ ...t, probability: 0, lower: 0, upper: 1, exact: false })), other: { probability: 1, lower: -1, upper: 1 } });
  none({ ...ok, tasks: ok.tasks.map((t) => ({ ...t, probability: Number.NaN, share: Number.NaN })), other: { probability: Number.NaN, lower: Number.NaN, upper: Number.NaN } });
  // K = 1: one task with all the mass.
  const single = mixOf(['75+72->147', '12+10->22', '60+21->']);
  assert.deepEqual(measurementDiagnostics(recordFor(single.mix, single.detection, [0.9]), single.mix, single.detection), []);
  // Malformed input does not throw either.
  const broken = { ...ok, tasks: null } as unknown as RunRecord;
  assert.deepEqual(measurementDiagnostics(broken, mix, detection), []);
});

test('a cancelled sampling run without samples gives nothing, whatever its point values say', () => {
  const { mix, detection } = mixOf(TWO);
  const ok = recordFor(mix, detection, [0.4, 0.4]);
  const empty = { ...ok, status: 'cancelled' as const, method: 'sampling' as const, tasks: ok.tasks.map((t) => ({ ...t, lower: 0, upper: 1, count: 0 })), other: { probability: 0.9, lower: 0, upper: 1 } };
  assert.deepEqual(measurementDiagnostics(empty, mix, detection), []);
});

test('no remove fix that would leave fewer than two examples', () => {
  const { mix, detection } = mixOf(['75+72->147', '15+43->fifty-eight', '60+21->']);
  const split = measurementDiagnostics(recordFor(mix, detection, [0.4, 0.4]), mix, detection).find((d) => d.code === 'split');
  assert.deepEqual(split?.fixes, [{ kind: 'to-structured' }]);
});

test('a cancelled run with partial bounds is read', () => {
  const { mix, detection } = mixOf(TWO);
  const ok = recordFor(mix, detection, [0.4, 0.4]);
  const partial = { ...ok, status: 'cancelled' as const, tasks: ok.tasks.map((t, i) => (i === 0 ? { ...t, upper: 0.5, exact: false } : t)) };
  assert.deepEqual(codes(measurementDiagnostics(partial, mix, detection)), ['split']);
});

test('a structured prompt gets the diagnostics without the text fixes and without a column span', () => {
  const text = JSON.stringify({ separator: '->', examples: [{ input: '75+72', output: '147' }, { input: '15+43', output: 'fifty-eight' }], query: '60+21', tasks: ['sum.digits', 'sum.en'] }, null, 2);
  const { mix, detection } = mixOf([text], 'x.superposition.json');
  const ds = measurementDiagnostics(recordFor(mix, detection, [0.4, 0.4]), mix, detection);
  assert.deepEqual(codes(ds), ['split']);
  assert.deepEqual(ds[0]!.fixes, []);
  assert.equal(ds[0]!.endColumn, undefined);
  assert.equal(ds[0]!.line, mix.queryLine);
});

test('the default thresholds are the documented ones', () => {
  assert.deepEqual({ ...DEFAULT_THRESHOLDS }, { splitMin: 0.1, absorbExcess: 0.3, absorbRatio: 2, otherMin: 0.5 });
});
