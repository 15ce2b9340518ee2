// Hovers on a prompt's example and query lines, on the shipped examples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { parseMix } from '../../src/core/mix/parse';
import type { PromptMix } from '../../src/core/mix/types';
import { escapeMarkdown, exampleHover, hoverPercent, queryHover } from '../../src/core/quick/hover';
import type { RunRecord, TaskResult } from '../../src/core/record';
import { parseTable } from '../../src/core/tasks/customTable';
import { detectTasks, type Detection } from '../../src/core/tasks/detect';
import { sampleRecord } from './fixtures';

const EXAMPLES = join(__dirname, '..', '..', 'examples');

/** Undoes escapeMarkdown, to compare with readable text. */
const plain = (lines: readonly string[] | undefined) => lines?.map((l) => l.replace(/\\(.)/g, '$1'));

function load(name: string): PromptMix {
  const { mix } = parseMix(readFileSync(join(EXAMPLES, name), 'utf8'), name);
  assert.ok(mix, name);
  return mix;
}

const addTranslate = load('add-translate.txt');
const addDetection = detectTasks(addTranslate);
const rhymes = load('rhymes.superposition.json');
const rhymeTables = new Map([['rhyme', parseTable(readFileSync(join(EXAMPLES, 'tables', 'rhymes.csv'), 'utf8'), 'rhymes.csv').table!]]);
const rhymeDetection = detectTasks(rhymes, { tables: rhymeTables });

function result(id: string, answer: string, probability: number, lower: number, upper: number, extra: Partial<TaskResult> = {}): TaskResult {
  return { id, label: id, answer, share: 0.25, examples: 10, probability, lower, upper, exact: lower === upper, ...extra };
}

function addTranslateRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return sampleRecord('r', undefined, {
    model: 'gemma3:270m',
    simulated: false,
    input: { ...sampleRecord('x').input, prompt: addTranslate.prompt, query: addTranslate.query },
    tasks: [
      result('sum.digits', '140', 0.42, 0.42, 0.45),
      result('sum.en', 'one hundred and forty', 0.2, 0.2, 0.2),
      result('sum.fr', 'cent quarante', 0.12, 0.11, 0.125),
      result('sum.es', 'ciento cuarenta', 0.09, 0.09, 0.1),
    ],
    other: { probability: 0.17, lower: 0.13, upper: 0.17 },
    ...overrides,
  });
}

test('an add-translate example: the task that reproduces it and its output under every task', () => {
  // Line 3 is `62+75->137`.
  assert.deepEqual(plain(exampleHover(addTranslate, addDetection, 3)), [
    'Example 3 of 40: 62+75->137',
    'Reproduced by sum.digits.',
    'Under each task:',
    'sum.digits → 137 ✓',
    'sum.en → one hundred and thirty-seven',
    'sum.fr → cent trente-sept',
    'sum.es → ciento treinta y siete',
  ]);
  assert.deepEqual(plain(exampleHover(addTranslate, addDetection, 1))?.slice(0, 2), ['Example 1 of 40: 80+60->cent quarante', 'Reproduced by sum.fr.']);
  assert.ok(plain(exampleHover(addTranslate, addDetection, 1))?.includes('sum.fr → cent quarante ✓'));
});

test('not an example line: undefined', () => {
  assert.equal(exampleHover(addTranslate, addDetection, addTranslate.queryLine), undefined, 'the query line');
  assert.equal(exampleHover(addTranslate, addDetection, 0), undefined);
  assert.equal(exampleHover(addTranslate, addDetection, 500), undefined);
  const unplaced: PromptMix = { ...addTranslate, examples: addTranslate.examples.map((e) => ({ ...e, line: 0 })) };
  assert.equal(exampleHover(unplaced, addDetection, 0), undefined, 'line 0 (no position) is no line');
});

test('a custom-task file: labels, table outputs, and — where a task has no output', () => {
  const [cat, dog] = rhymes.examples;
  assert.deepEqual(plain(exampleHover(rhymes, rhymeDetection, cat!.line, { tables: rhymeTables })), ['Example 1 of 8: cat->hat', 'Labelled: rhyme', 'Under each task:', 'word.first_upper → C', 'rhyme → hat ✓']);
  assert.deepEqual(plain(exampleHover(rhymes, rhymeDetection, dog!.line, { tables: rhymeTables })), ['Example 2 of 8: dog->D', 'Reproduced by word.first_upper.', 'Under each task:', 'word.first_upper → D ✓', 'rhyme → —']);
  assert.ok(plain(exampleHover(rhymes, rhymeDetection, cat!.line))?.includes('rhyme → —'), 'no tables given: the custom task has no output');
});

test('unmatched and ambiguous examples', () => {
  const { mix } = parseMix('2+3->5\n2+2->four\n1+1->eleven\n5@5->5\n3+4->', 'x.txt');
  const detection = detectTasks(mix!);
  assert.equal(plain(exampleHover(mix!, detection, 3))?.[1], 'Reproduced by no known task: it counts for none.');
  const ab: Detection = { ...detection, matches: [{ line: 4, tasks: ['ab.copy1', 'ab.copy2', 'sum.digits'] }] };
  assert.equal(plain(exampleHover(mix!, ab, 4))?.[1], 'Reproduced by ab.copy1, ab.copy2 and sum.digits (counts for each in equal parts).');
});

test('the query before any run: each task\'s answer', () => {
  assert.deepEqual(plain(queryHover(addTranslate, addDetection)), [
    'Query: 88+52',
    'Not measured yet: analyze to see how probable each answer is.',
    'sum.digits → 140',
    'sum.en → one hundred and forty',
    'sum.fr → cent quarante',
    'sum.es → ciento cuarenta',
  ]);
  assert.deepEqual(plain(queryHover(rhymes, rhymeDetection))?.slice(2), ['word.first_upper → B', 'rhyme → tree']);
});

test('the query with a record of this prompt: probabilities, intervals or exact, and other', () => {
  assert.deepEqual(plain(queryHover(addTranslate, addDetection, addTranslateRecord())), [
    'Query: 88+52',
    'Measured on gemma3:270m with logprobs:',
    'sum.digits → 140 · 42.0% [42.0%, 45.0%]',
    'sum.en → one hundred and forty · 20.0% exact',
    'sum.fr → cent quarante · 12.0% [11.0%, 12.5%]',
    'sum.es → ciento cuarenta · 9.00% [9.00%, 10.0%]',
    'other · 17.0% [13.0%, 17.0%]',
  ]);
  const exactOther = plain(queryHover(addTranslate, addDetection, addTranslateRecord({ other: { probability: 0.17, lower: 0.17, upper: 0.17 } })));
  assert.equal(exactOther?.at(-1), 'other · 17.0% exact');
});

test('a sampling record shows 95% CIs; a partial one says so', () => {
  const sampled = addTranslateRecord({
    method: 'sampling',
    status: 'cancelled',
    tasks: [result('sum.digits', '140', 0.4, 0.33, 0.47, { ci95: [0.33, 0.47], count: 80 })],
    other: { probability: 0.6, lower: 0.53, upper: 0.67 },
  });
  const lines = plain(queryHover(addTranslate, addDetection, sampled));
  assert.equal(lines?.[1], 'Measured on gemma3:270m with sampling — partial result (cancelled):');
  assert.equal(lines?.[2], 'sum.digits → 140 · 40.0% (95% CI [33.0%, 47.0%])');
  assert.equal(lines?.[3], 'sum.en → one hundred and forty · not measured', 'a task the record lacks');
  assert.equal(lines?.at(-1), 'other · 60.0% (95% CI [53.0%, 67.0%])');
});

test('a record of another prompt, or of another answer, gives no numbers', () => {
  const stale = addTranslateRecord({ input: { ...addTranslateRecord().input, prompt: `${addTranslate.prompt} ` } });
  const lines = plain(queryHover(addTranslate, addDetection, stale));
  assert.equal(lines?.[1], 'The last run measured another version of this prompt; analyze again for its numbers.');
  assert.ok(lines?.every((l) => !l.includes('%')));
  const other = addTranslateRecord();
  other.tasks[0] = { ...other.tasks[0]!, answer: '141' };
  assert.equal(plain(queryHover(addTranslate, addDetection, other))?.[2], 'sum.digits → 140 · not measured');
});

test('user text cannot format the hover', () => {
  const { mix } = parseMix('*a*->[x](y)\n`b`->$(z)\n<c>->d\n# e->', 'x.txt');
  const detection: Detection = { tasks: [{ id: 'c_1', label: 'c', custom: true, count: 1, share: 1, answer: '**bold**' }], matches: [{ line: 1, tasks: ['c_1'] }], diagnostics: [] };
  const lines = [...exampleHover(mix!, detection, 1)!, ...queryHover(mix!, detection)];
  for (const line of lines) assert.doesNotMatch(line.replace(/\\./g, ''), /[*_`[\]()<>#$]/, line);
  assert.equal(escapeMarkdown('*x* [a](b) `c` $(d) <e> # f_g \\'), '\\*x\\* \\[a\\]\\(b\\) \\`c\\` \\$\\(d\\) \\<e\\> \\# f\\_g \\\\');
  assert.ok(lines.includes('c\\_1 → \\*\\*bold\\*\\*'));
});

test('hover percentages', () => {
  assert.deepEqual([0, 0.42, 0.0325, 0.000012, 1].map(hoverPercent), ['0%', '42.0%', '3.25%', '0.0012%', '100.0%']);
});
