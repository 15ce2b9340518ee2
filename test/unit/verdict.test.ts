// The panel's words: the verdict sentence, the interval note, the metric help, the captions.
import assert from 'node:assert/strict';
import test from 'node:test';
import type { TaskResult } from '../../src/core/record';
import { completionsCaption, entropyText, intervalNote, METRIC_HELP, runVerdict } from '../../src/webview/verdict';
import { sampleRecord } from './fixtures';

const task = (id: string, probability: number, share: number, extra: Partial<TaskResult> = {}): TaskResult => ({ id, label: id, answer: id, share, examples: 1, probability, lower: probability, upper: probability, exact: true, ...extra });

function withTasks(tasks: TaskResult[], status: 'complete' | 'cancelled' | 'failed' = 'complete') {
  const mass = tasks.reduce((a, t) => a + t.probability, 0);
  return sampleRecord('v', undefined, { status, tasks, other: { probability: 1 - mass, lower: 1 - mass, upper: 1 - mass } });
}

test('verdict: spread over several tasks names the leader against its share and the mass on other answers', () => {
  const tasks = [task('digits', 0.42, 0.25), task('en', 0.2, 0.25), task('fr', 0.12, 0.25), task('es', 0.08, 0.25)];
  assert.equal(runVerdict(withTasks(tasks)), 'Spread over 4 of 4 tasks: digits gets 42.0% although each task has 25.0% of the examples; 18.0% goes to other answers.');
  const inLine = [task('a', 0.45, 0.5), task('b', 0.4, 0.5)];
  assert.match(runVerdict(withTasks(inLine)) ?? '', /^Spread over 2 of 2 tasks: a gets 45\.0% and each task has 50\.0%/);
});

test('verdict: collapse onto one task, one task only, no task mass, partial and running runs', () => {
  assert.equal(runVerdict(withTasks([task('a', 0.8, 0.5), task('b', 0.01, 0.5)])), 'Collapsed onto one task: a gets 80.0% (50.0% of the examples), the other task gets 1.00%; 19.0% goes to other answers.');
  assert.equal(runVerdict(withTasks([task('a', 0.7, 1)])), 'a gets 70.0%; 30.0% goes to other answers.');
  assert.match(runVerdict(withTasks([task('a', 0.001, 0.5), task('b', 0.002, 0.5)])) ?? '', /^Almost nothing on any task's answer: 99\.7% goes to other answers/);
  assert.match(runVerdict(withTasks([task('a', 0.03, 0.5), task('b', 0.02, 0.5)])) ?? '', /^No task reaches 5\.00%/);
  assert.match(runVerdict(withTasks([task('a', 0.5, 0.5), task('b', 0.3, 0.5)], 'cancelled')) ?? '', /^Partial result: Spread over 2/);
  assert.match(runVerdict(withTasks([task('a', 0.5, 0.5), task('b', 0.3, 0.5)]), true) ?? '', /^So far: /);
  assert.equal(runVerdict(withTasks([task('a', 0, 0.5, { upper: 0 })], 'failed')), undefined, 'a failed run with nothing measured');
  assert.equal(runVerdict(withTasks([])), undefined);
});

test('interval note: says why a wide interval is wide, and nothing for narrow ones', () => {
  const narrow = withTasks([task('a', 0.5, 0.5, { lower: 0.5, upper: 0.52, exact: false }), task('b', 0.3, 0.5)]);
  assert.equal(intervalNote(narrow), undefined);
  const wide = withTasks([task('a', 0.5, 0.5), task('veintitrés', 0.1, 0.5, { lower: 0.1, upper: 0.3, exact: false })]);
  assert.match(intervalNote(wide) ?? '', /^veintitrés's interval is 20\.0% wide: Ollama shows only the 20 most probable next tokens/);
  const sampled = { ...withTasks([task('a', 0.5, 1, { ci95: [0.4, 0.6] })]), method: 'sampling' as const };
  assert.match(intervalNote(sampled) ?? '', /from 200 samples, so their 95% intervals are about ±10\.00%/);
});

test('metric help says what each metric means and what good looks like; entropy is not 0.000 when all is other', () => {
  for (const [name, help] of Object.entries(METRIC_HELP)) {
    assert.ok(help.means.length > 40 && help.good.length > 30, name);
  }
  assert.equal(entropyText({ entropy: 0, taskMass: 0 }), '— (all on other answers)');
  assert.equal(entropyText({ entropy: 0.5, taskMass: 0.5 }), '0.500 nats');
});

test('completions caption: terminated line probability against the answer probabilities', () => {
  const record = sampleRecord('c');
  assert.match(completionsCaption(record), /most probable whole lines.*count any line that starts with the answer/);
  assert.match(completionsCaption({ ...record, options: { ...record.options, terminated: true } }), /terminated too/);
  assert.match(completionsCaption({ ...record, method: 'sampling' }), /most frequent lines among the samples/);
});
