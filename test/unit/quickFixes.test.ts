import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseMix } from '../../src/core/mix/parse';
import type { PromptMix } from '../../src/core/mix/types';
import { measurementDiagnostics } from '../../src/core/quick/measurementRules';
import { balanceMix, distinctAnswers, pickDistinctQuery, removeTaskExamples, toStructuredMix, type FixResult } from '../../src/core/quick/quickFixes';
import type { RunRecord } from '../../src/core/record';
import { detectTasks, type Detection } from '../../src/core/tasks/detect';
import { generateMix } from '../../src/core/tasks/generate';
import { sampleRecord } from './fixtures';

const EXAMPLES = join(__dirname, '..', '..', 'examples');
const FILES = ['add-translate.txt', 'ab.txt', 'country.txt', 'word.txt'];

function read(name: string): string {
  return readFileSync(join(EXAMPLES, name), 'utf8');
}

function open(text: string, fileName?: string): { mix: PromptMix; detection: Detection } {
  const parsed = parseMix(text, fileName);
  assert.ok(parsed.mix, JSON.stringify(parsed.diagnostics));
  return { mix: parsed.mix, detection: detectTasks(parsed.mix) };
}

function textOf(result: FixResult): string {
  assert.ok(result.ok, result.ok ? '' : result.error);
  return result.text;
}

function counts(detection: Detection): number[] {
  return detection.tasks.map((t) => t.count);
}

/** A record of the mix whose probabilities follow the detected shares (as a well-calibrated model). */
function recordFor(mix: PromptMix, detection: Detection, probs?: number[]): RunRecord {
  const tasks = detection.tasks.map((t, i) => {
    const p = probs?.[i] ?? t.share * 0.9;
    return { id: t.id, label: t.label, answer: t.answer ?? '', share: t.share, examples: t.count, probability: p, lower: p, upper: p, exact: true };
  });
  const examples = mix.examples.map((e, i) => ({ input: e.input, output: e.output, line: e.line, tasks: detection.matches[i]?.tasks ?? [] }));
  return sampleRecord('r', undefined, { input: { prompt: mix.prompt, separator: mix.separator, query: mix.query, examples }, tasks, other: { probability: 0.1, lower: 0.1, upper: 0.1 } });
}

/** add-translate.txt without its first `drop` French examples (fr: 10 − drop examples, the others 10). */
function unbalancedAddTranslate(drop: number, eol = '\n'): string {
  const lines = read('add-translate.txt').split('\n');
  const fr = open(read('add-translate.txt')).detection;
  const frLines = new Set(fr.matches.filter((m) => m.tasks.length === 1 && m.tasks[0] === 'sum.fr').slice(0, drop).map((m) => m.line));
  return lines.filter((_, i) => !frLines.has(i + 1)).join(eol);
}

/** True when `sub` occurs in `all` in order (lines kept). */
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let i = 0;
  for (const line of all) if (line === sub[i]) i++;
  return i === sub.length;
}

test('balanceMix adds fresh French examples among the examples: counts equal, old lines kept in order, query last', () => {
  const text = unbalancedAddTranslate(4);
  const before = open(text);
  assert.deepEqual(counts(before.detection), [10, 10, 6, 10]);
  const out = textOf(balanceMix(text, before.mix, before.detection, 7));
  const after = open(out);
  assert.deepEqual(counts(after.detection), [10, 10, 10, 10]);
  assert.deepEqual(after.detection.tasks.map((t) => t.id), ['sum.digits', 'sum.en', 'sum.fr', 'sum.es']);
  const oldLines = text.split('\n');
  const newLines = out.split('\n');
  assert.ok(isSubsequence(oldLines, newLines), 'every old line is kept, in order');
  assert.equal(newLines.length, oldLines.length + 4);
  assert.equal(after.mix.query, before.mix.query);
  assert.equal(newLines.at(-2), '88+52->', 'the query stays the last line');
  const oldInputs = new Set([...before.mix.examples.map((e) => e.input), before.mix.query]);
  const added = after.mix.examples.filter((e) => !before.mix.examples.some((o) => o.input === e.input && o.output === e.output));
  assert.equal(added.length, 4);
  for (const e of added) {
    assert.ok(!oldInputs.has(e.input), `fresh input ${e.input}`);
    assert.deepEqual(after.detection.matches[after.mix.examples.indexOf(e)]?.tasks, ['sum.fr']);
  }
  assert.equal(new Set(added.map((e) => e.input)).size, 4);
  // Not all appended at one place: seeded random positions (this seed spreads them).
  const positions = added.map((e) => e.line);
  assert.ok(Math.max(...positions) - Math.min(...positions) > 3, JSON.stringify(positions));
  // Deterministic, and the seed matters.
  assert.equal(textOf(balanceMix(text, before.mix, before.detection, 7)), out);
  assert.notEqual(textOf(balanceMix(text, before.mix, before.detection, 8)), out);
});

test('after balancing, the split rule sits on the new query line and names the tasks; remove fixes per task', () => {
  const text = unbalancedAddTranslate(4);
  const before = open(text);
  const after = open(textOf(balanceMix(text, before.mix, before.detection, 3)));
  assert.equal(after.mix.queryLine, before.mix.queryLine + 4);
  const split = measurementDiagnostics(recordFor(after.mix, after.detection), after.mix, after.detection).find((d) => d.code === 'split');
  assert.equal(split?.line, after.mix.queryLine);
  assert.deepEqual(
    split?.fixes.flatMap((f) => (f.kind === 'remove-task-examples' ? [f.taskId] : [])),
    ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'],
  );
});

test('balanceMix keeps CRLF, the separator and the @ joiner (ab.txt)', () => {
  const lines = read('ab.txt').split('\n');
  const base = open(read('ab.txt')).detection;
  const copy2 = new Set(base.matches.filter((m) => m.tasks.length === 1 && m.tasks[0] === 'ab.copy2').slice(0, 3).map((m) => m.line));
  const text = lines.filter((_, i) => !copy2.has(i + 1)).join('\r\n');
  const before = open(text);
  const out = textOf(balanceMix(text, before.mix, before.detection, 11));
  assert.equal(out.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
  assert.equal(out.split('\r\n').length, text.split('\r\n').length + 3);
  const after = open(out);
  assert.equal(new Set(counts(after.detection)).size, 1, JSON.stringify(counts(after.detection)));
  for (const e of after.mix.examples) assert.match(`${e.input}=${e.output}`, /^\d+@\d+=\d+$/);
});

/** The text without the first `drop` examples attributed to `taskId` only. */
function withoutSome(name: string, taskId: string, drop: number): string {
  const text = read(name);
  const { detection } = open(text);
  const gone = new Set(detection.matches.filter((m) => m.tasks.length === 1 && m.tasks[0] === taskId).slice(0, drop).map((m) => m.line));
  return text.split('\n').filter((_, i) => !gone.has(i + 1)).join('\n');
}

test('balanceMix draws examples no other task explains (word: first and last letters often coincide)', () => {
  const text = withoutSome('word.txt', 'word.first_lower', 12);
  const before = open(text);
  const out = textOf(balanceMix(text, before.mix, before.detection, 2));
  const after = open(out);
  assert.equal(new Set(counts(after.detection)).size, 1, JSON.stringify(counts(after.detection)));
  assert.deepEqual(after.detection.diagnostics.filter((d) => d.code === 'ambiguous-example').length, before.detection.diagnostics.filter((d) => d.code === 'ambiguous-example').length);
});

test('balanceMix never adds an example two tasks explain (ab: A@A copies both operands)', () => {
  // 100 copy1 and 2 copy2 examples: 98 copy2 draws per seed, each 1/90 likely to be A@A.
  const generated = generateMix({ tasks: ['ab.copy1', 'ab.copy2'], proportions: [50, 1], total: 102, seed: 1 });
  assert.ok(generated.text, JSON.stringify(generated.diagnostics));
  const before = open(generated.text);
  assert.deepEqual(counts(before.detection), [100, 2]);
  for (let seed = 0; seed < 5; seed++) {
    const after = open(textOf(balanceMix(generated.text, before.mix, before.detection, seed)));
    assert.deepEqual(counts(after.detection), [100, 100], `seed ${seed}`);
  }
});

test('balanceMix places examples anywhere among the examples but never after the query (many seeds)', () => {
  const text = unbalancedAddTranslate(4);
  const before = open(text);
  for (let seed = 0; seed < 30; seed++) {
    const out = textOf(balanceMix(text, before.mix, before.detection, seed));
    const after = open(out);
    assert.equal(after.mix.queryLine, before.mix.queryLine + 4, `seed ${seed}`);
    assert.equal(out.split('\n').at(-2), '88+52->', `seed ${seed}`);
  }
});

test('the fixes keep the @ joiner (sums written with @; copy tasks among + sums) and the query line\'s trailing spaces', () => {
  const text = '75@72->147\n15@43->fifty-eight\n12@10->22\n30@31->61\n60@21->  \n';
  const before = open(text);
  const balanced = open(textOf(balanceMix(text, before.mix, before.detection, 1)));
  assert.ok(balanced.mix.examples.every((e) => e.input.includes('@')), balanced.mix.prompt);
  const picked = textOf(pickDistinctQuery(text, before.mix, before.detection, 1));
  assert.match(picked, /\n\d\d@\d\d->  \n$/);
  // Copy tasks read only A@B: their new examples use @ even when most sums are written with +.
  const mixed = '75+72=147\n15+43=58\n12+10=22\n30@31=30\n44@21=21\n60@21=';
  const m = open(mixed);
  assert.deepEqual(counts(m.detection), [3, 1, 1]);
  assert.deepEqual(counts(open(textOf(balanceMix(mixed, m.mix, m.detection, 1))).detection), [3, 3, 3]);
});

test('balanceMix uses fresh countries (not in the examples or the query, not twice)', () => {
  const text = withoutSome('country.txt', 'country.capital', 12);
  const before = open(text);
  const old = new Set([...before.mix.examples.map((e) => e.input), before.mix.query]);
  const oldLines = new Set(before.mix.examples.map((e) => `${e.input}->${e.output}`));
  for (let seed = 0; seed < 5; seed++) {
    const after = open(textOf(balanceMix(text, before.mix, before.detection, seed)));
    assert.equal(new Set(counts(after.detection)).size, 1, JSON.stringify(counts(after.detection)));
    const added = after.mix.examples.filter((e) => !oldLines.has(`${e.input}->${e.output}`));
    assert.equal(added.length, 12);
    assert.ok(added.every((e) => !old.has(e.input)), JSON.stringify(added.map((e) => e.input)));
    assert.equal(new Set(added.map((e) => e.input)).size, 12, `seed ${seed}: ${added.map((e) => e.input).join(', ')}`);
  }
});

test('balanceMix leaves lines outside the prompt alone and keeps a BOM', () => {
  const text = `\uFEFF\n\n75+72->147\n15+43->fifty-eight\n   \n12+10->22\n60+21->  \n\n\n`;
  const before = open(text);
  const out = textOf(balanceMix(text, before.mix, before.detection, 1));
  assert.ok(out.startsWith('\uFEFF\n\n'));
  assert.ok(out.endsWith('\n60+21->  \n\n\n'));
  assert.ok(out.includes('\n   \n'));
  assert.deepEqual(counts(open(out).detection), [2, 2]);
});

test('removeTaskExamples removes only the lines attributed to that task only', () => {
  for (const eol of ['\n', '\r\n']) {
    const text = read('add-translate.txt').split('\n').join(eol);
    const { mix, detection } = open(text);
    const out = textOf(removeTaskExamples(text, mix, detection, 'sum.fr'));
    const after = open(out);
    assert.deepEqual(after.detection.tasks.map((t) => t.id), ['sum.digits', 'sum.en', 'sum.es']);
    assert.deepEqual(counts(after.detection), [10, 10, 10]);
    const kept = text.split(eol).filter((l) => !mix.examples.some((e, i) => detection.matches[i]?.tasks[0] === 'sum.fr' && `${e.input}->${e.output}` === l));
    assert.equal(out, kept.join(eol));
  }
  const { mix, detection } = open(read('add-translate.txt'));
  const unknown = removeTaskExamples(read('add-translate.txt'), mix, detection, 'word.first_lower');
  assert.match(unknown.ok ? '' : unknown.error, /not detected/);
});

test('removeTaskExamples keeps ambiguous examples and refuses to leave fewer than two examples', () => {
  // 44@44=44 fits copy1 and copy2 (both detected): it stays.
  const text = '96@55=96\n88@46=46\n63@93=93\n44@44=44\n32@36=';
  const { mix, detection } = open(text);
  assert.equal(textOf(removeTaskExamples(text, mix, detection, 'ab.copy1')), '88@46=46\n63@93=93\n44@44=44\n32@36=');
  const two = open('75+72->147\n15+43->fifty-eight\n60+21->');
  assert.equal(removeTaskExamples('75+72->147\n15+43->fifty-eight\n60+21->', two.mix, two.detection, 'sum.en').ok, false);
});

test('pickDistinctQuery removes a collide diagnostic (CRLF kept, query fresh)', () => {
  // word.txt with the query 'level': first and last letters coincide.
  const lines = read('word.txt').split('\n');
  const q = lines.map((l) => l.trim() !== '').lastIndexOf(true);
  lines[q] = 'level->';
  const text = lines.join('\r\n');
  const before = open(text);
  assert.ok(measurementDiagnostics(recordFor(before.mix, before.detection), before.mix, before.detection).some((d) => d.code === 'collide'));
  const out = textOf(pickDistinctQuery(text, before.mix, before.detection, 5));
  assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
  const after = open(out);
  assert.notEqual(after.mix.query, 'level');
  assert.deepEqual(after.mix.examples, before.mix.examples);
  assert.ok(!after.mix.prompt.slice(0, after.mix.prompt.lastIndexOf('\n')).includes(after.mix.query));
  const answers = after.detection.tasks.map((t) => t.answer);
  assert.ok(distinctAnswers(answers), JSON.stringify(answers));
  assert.deepEqual(measurementDiagnostics(recordFor(after.mix, after.detection), after.mix, after.detection).filter((d) => d.code === 'collide'), []);
  assert.equal(textOf(pickDistinctQuery(text, before.mix, before.detection, 5)), out);
});

test('pickDistinctQuery: over many seeds every query is fresh, with distinct answers', () => {
  const text = read('word.txt').replace(/saddle->\n?$/, 'level->\n');
  const before = open(text);
  const exampleText = before.mix.examples.map((e) => `${e.input}->${e.output}`).join('\n');
  for (let seed = 0; seed < 60; seed++) {
    const after = open(textOf(pickDistinctQuery(text, before.mix, before.detection, seed)));
    assert.ok(!exampleText.includes(after.mix.query), after.mix.query);
    assert.ok(distinctAnswers(after.detection.tasks.map((t) => t.answer)), after.mix.query);
  }
});

test('pickDistinctQuery avoids prefixes (ab: 10@95 gives 10 and 105) and keeps the joiner', () => {
  const text = read('ab.txt').replace(/86@19=\n?$/, '10@95=\n');
  const before = open(text);
  assert.equal(before.mix.query, '10@95');
  // Over 300 seeds some first draw is A@A (copy1 = copy2) or a prefix: each must be refused.
  for (let seed = 0; seed < 300; seed++) {
    const after = open(textOf(pickDistinctQuery(text, before.mix, before.detection, seed)));
    assert.match(after.mix.query, /^\d\d@\d\d$/);
    assert.ok(distinctAnswers(after.detection.tasks.map((t) => t.answer)), after.mix.query);
  }
});

test('distinctAnswers is the generator rule', () => {
  assert.equal(distinctAnswers(['a', 'b']), true);
  assert.equal(distinctAnswers(['a', 'a']), false);
  assert.equal(distinctAnswers(['10', '105']), false);
  assert.equal(distinctAnswers(['105', '10']), false);
  assert.equal(distinctAnswers(['a', undefined]), false);
});

test('toStructuredMix of each shipped example reads back to the same prompt and tasks', () => {
  for (const name of FILES) {
    const { mix, detection } = open(read(name));
    const json = textOf(toStructuredMix(mix, detection));
    const back = open(json, 'x.superposition.json');
    assert.equal(back.mix.prompt, mix.prompt, name);
    assert.deepEqual(back.mix.tasks, detection.tasks.map((t) => t.id), name);
    assert.deepEqual(back.detection.tasks.map((t) => [t.id, t.count, t.answer]), detection.tasks.map((t) => [t.id, t.count, t.answer]), name);
  }
});

test('toStructuredMix labels attributed examples only and refuses an output holding the separator', () => {
  const { mix, detection } = open('96@55=96\n88@46=46\n63@93=93\n44@44=44\n32@36=');
  const doc = JSON.parse(textOf(toStructuredMix(mix, detection))) as { examples: { task?: string }[] };
  assert.deepEqual(doc.examples.map((e) => e.task), ['ab.copy1', 'ab.copy2', 'ab.copy2', undefined]);
  const sep = open('75+72->147\n15+43->fifty->eight\n12+10->22\n60+21->');
  assert.equal(toStructuredMix(sep.mix, sep.detection).ok, false);
});

test('custom tasks and structured files are left alone with a message; a changed file is refused', () => {
  const rhymes = readFileSync(join(EXAMPLES, 'rhymes.superposition.json'), 'utf8');
  const { mix, detection } = open(rhymes, 'rhymes.superposition.json');
  for (const result of [balanceMix(rhymes, mix, detection, 1), pickDistinctQuery(rhymes, mix, detection, 1)]) {
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /superposition\.json|custom/);
  }
  // A structured file without tasks or labels looks like a text mix; its JSON text is still refused by name.
  const plain = JSON.stringify({ separator: '->', examples: [{ input: '75+72', output: '147' }, { input: '15+43', output: 'fifty-eight' }], query: '60+21' });
  const p = open(plain, 'x.superposition.json');
  const refused = balanceMix(plain, p.mix, p.detection, 1);
  assert.match(refused.ok ? '' : refused.error, /superposition\.json/);
  const text = unbalancedAddTranslate(2);
  const stale = open(text);
  const edited = text.replace('88+14->one hundred and two', '88+14->one hundred and two\n11+11->22');
  const inPlace = text.replace('88+14->one hundred and two', '88+14->102'); // same lines, another prompt
  for (const changed of [edited, inPlace]) {
    const result = balanceMix(changed, stale.mix, stale.detection, 1);
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /changed/);
  }
});
