import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasErrors, type Diagnostic } from '../../src/core/diagnostics';
import { parseMix } from '../../src/core/mix/parse';
import { parseMixText } from '../../src/core/mix/parseText';
import { formatJsonPath, parseStructuredMix, serializeStructuredMix, StructuredMixSchema } from '../../src/core/mix/structured';
import { buildPrompt, type ParseResult, type PromptMix } from '../../src/core/mix/types';
import { seededRng } from '../../src/core/random';

const VALID = `{
  "$schema": "./superposition.schema.json",
  "separator": "->",
  "examples": [
    { "input": "75+72", "output": "147", "task": "sum.digits" },
    { "input": "15+43", "output": "fifty-eight", "task": "sum.en" },
    { "input": "71+55", "output": "cent vingt-six" },
    { "input": "Bolivia", "output": "La Paz, Sucre", "task": "my.custom" }
  ],
  "query": "60+21",
  "tasks": [
    "sum.digits",
    "sum.en",
    { "id": "my.custom", "label": "Rhyme", "answer": "fun" },
    { "id": "my.table", "table": "tables/rhymes.csv" }
  ]
}
`;

function ok(text: string): PromptMix & { diagnostics: Diagnostic[] } {
  const r = parseStructuredMix(text);
  assert.ok(r.mix, `expected a mix, got ${JSON.stringify(r.diagnostics)}`);
  assert.equal(hasErrors(r.diagnostics), false);
  return { ...r.mix, diagnostics: r.diagnostics };
}

function errs(text: string): Diagnostic[] {
  const r = parseStructuredMix(text);
  assert.equal(r.mix, undefined);
  assert.ok(hasErrors(r.diagnostics), 'expected an error');
  return r.diagnostics.filter((d) => d.severity === 'error');
}

function byPath(diags: Diagnostic[], path: string): Diagnostic {
  const d = diags.find((x) => x.path === path);
  assert.ok(d, `no diagnostic with path ${path}: ${JSON.stringify(diags)}`);
  return d;
}

/** A document with one property replaced; others from the valid base. */
function doc(overrides: Record<string, unknown>, drop: string[] = []): string {
  const base: Record<string, unknown> = {
    separator: '->',
    examples: [
      { input: 'a', output: '1' },
      { input: 'b', output: '2' },
    ],
    query: 'q',
    ...overrides,
  };
  for (const k of drop) delete base[k];
  return JSON.stringify(base, null, 2);
}

describe('parseStructuredMix: valid files', () => {
  it('gives separator, examples with task and line, query, tasks, custom tasks and the prompt', () => {
    const m = ok(VALID);
    assert.equal(m.separator, '->');
    assert.deepEqual(m.examples, [
      { input: '75+72', output: '147', task: 'sum.digits', line: 5 },
      { input: '15+43', output: 'fifty-eight', task: 'sum.en', line: 6 },
      { input: '71+55', output: 'cent vingt-six', line: 7 },
      { input: 'Bolivia', output: 'La Paz, Sucre', task: 'my.custom', line: 8 },
    ]);
    assert.equal(m.query, '60+21');
    assert.equal(m.queryLine, 10);
    assert.deepEqual(m.tasks, ['sum.digits', 'sum.en', 'my.custom', 'my.table']);
    assert.deepEqual(m.customTasks, [
      { id: 'my.custom', label: 'Rhyme', answer: 'fun' },
      { id: 'my.table', table: 'tables/rhymes.csv' },
    ]);
    assert.equal(m.prompt, '75+72->147\n15+43->fifty-eight\n71+55->cent vingt-six\nBolivia->La Paz, Sucre\n60+21->');
    assert.deepEqual(m.diagnostics, []);
  });

  it('separator defaults to ->; tasks are optional; tab and = separators work', () => {
    const m = ok(doc({}, ['separator']));
    assert.equal(m.separator, '->');
    assert.equal(m.tasks, undefined);
    assert.equal(m.customTasks, undefined);
    assert.equal(m.prompt, 'a->1\nb->2\nq->');
    assert.equal(ok(doc({ separator: '\t' })).prompt, 'a\t1\nb\t2\nq\t');
    assert.equal(ok(doc({ separator: '=', examples: [{ input: '96@55', output: '96' }, { input: '88@46', output: '46' }], query: '32@36' })).prompt, '96@55=96\n88@46=46\n32@36=');
  });

  it('accepts a BOM, CRLF and a one-line document (example lines then all 1)', () => {
    const m = ok(`\uFEFF${VALID.replace(/\n/g, '\r\n')}`);
    assert.equal(m.examples[0]?.line, 5);
    const one = ok(JSON.stringify({ examples: [{ input: 'a', output: '1' }, { input: 'b', output: '2' }], query: 'q' }));
    assert.deepEqual(
      one.examples.map((e) => e.line),
      [1, 1],
    );
    assert.equal(one.queryLine, 1);
  });

  it('the schema alone accepts the valid file and fills the default separator', () => {
    const parsed = StructuredMixSchema.parse(JSON.parse(doc({}, ['separator'])));
    assert.equal(parsed.separator, '->');
  });
});

describe('parseStructuredMix: invalid JSON', () => {
  it('reports the position of the syntax error', () => {
    const cases: [string, number, number][] = [
      ['{\n  "query": "q",\n  "examples": [1, 2,]\n}', 3, 21], // trailing comma: at `]`
      ['{\n  "query": "q"\n  "x": 1\n}', 3, 3], // missing comma
      ['{\n  "query": \'q\'\n}', 2, 12], // single quotes
      ['{\n  "query": "q', 2, 14], // unterminated string: at the end of the text
      ['{\n  "a": tru\n}', 2, 8],
      ['{"a": 1} x', 1, 10], // trailing garbage
      ['\uFEFF{\r\n"a": }', 2, 6], // BOM not counted, CRLF one line break
      ['{\n  "a": "x\ny"\n}', 2, 10], // raw newline inside a string
    ];
    for (const [text, line, column] of cases) {
      const r = parseStructuredMix(text);
      assert.equal(r.mix, undefined);
      assert.equal(r.diagnostics.length, 1, text);
      const d = r.diagnostics[0];
      assert.ok(d);
      assert.equal(d.code, 'invalid-json', text);
      assert.deepEqual([d.line, d.column], [line, column], `${JSON.stringify(text)}: ${d.message}`);
      assert.match(d.message, /^invalid JSON: /);
    }
  });

  it('deep nesting neither crashes nor misplaces the error', () => {
    const valid = parseStructuredMix('['.repeat(5000) + ']'.repeat(5000));
    assert.equal(valid.diagnostics[0]?.code, 'schema');
    assert.deepEqual([valid.diagnostics[0]?.line, valid.diagnostics[0]?.column], [1, 1]);
    const broken = parseStructuredMix('['.repeat(5000) + ']'.repeat(10));
    assert.equal(broken.diagnostics[0]?.code, 'invalid-json');
    assert.doesNotMatch(broken.diagnostics[0]?.message ?? '', /nested too deeply/);
  });

  it('a 900 kB document parses in well under a second', () => {
    const examples = Array.from({ length: 14_000 }, (_, i) => ({ input: `${i}+1`, output: `out ${i}` }));
    const text = JSON.stringify({ examples, query: 'q' }, null, 2);
    const t0 = performance.now();
    const m = ok(text);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(m.examples.length, 14_000);
    assert.equal(m.examples[13_999]?.line, 4 * 13_999 + 3);
  });

  it('empty, too large and binary checks run first', () => {
    assert.equal(errs('  \n')[0]?.code, 'empty');
    const tooLarge = parseStructuredMix(VALID, { maxBytes: 100 }).diagnostics;
    assert.equal(tooLarge.length, 1);
    assert.equal(tooLarge[0]?.code, 'too-large');
    assert.match(tooLarge[0]?.message ?? '', /100 bytes/);
    const bin = errs('{\n "a": 1\u0000}');
    assert.equal(bin[0]?.code, 'binary');
    assert.deepEqual([bin[0]?.line, bin[0]?.column], [2, 8]);
  });
});

describe('parseStructuredMix: schema errors carry the JSON path and position', () => {
  it('missing query points at the root object', () => {
    const d = byPath(errs(doc({}, ['query'])), 'query');
    assert.equal(d.code, 'schema');
    assert.match(d.message, /missing required property `query`/);
    assert.deepEqual([d.line, d.column], [1, 1]);
  });

  it('wrong type of an output: path examples[1].output at the value', () => {
    const text = doc({ examples: [{ input: 'a', output: '1' }, { input: 'b', output: 2 }] });
    const d = byPath(errs(text), 'examples[1].output');
    assert.equal(d.code, 'schema');
    const lines = text.split('\n');
    const lineIdx = lines.findIndex((l) => l.includes('"output": 2'));
    assert.equal(d.line, lineIdx + 1);
    assert.equal(d.column, (lines[lineIdx] ?? '').indexOf('2') + 1);
  });

  it('missing output: path examples[0].output, positioned at the example object', () => {
    const text = doc({ examples: [{ input: 'a' }, { input: 'b', output: '2' }] });
    const d = byPath(errs(text), 'examples[0].output');
    const lines = text.split('\n');
    assert.equal(d.line, lines.findIndex((l) => l.trim() === '{' && l.startsWith('    ')) + 1);
  });

  it('unknown property: path of the key, message names the allowed ones', () => {
    const e = errs(doc({ quey: 'x' }));
    const d = byPath(e, 'quey');
    assert.match(d.message, /quey/);
    assert.match(d.message, /`query`/);
    const e2 = errs(doc({ examples: [{ input: 'a', output: '1', extra: true }, { input: 'b', output: '2' }] }));
    assert.ok(byPath(e2, 'examples[0].extra'));
  });

  it('bad separator, non-array examples, root not an object', () => {
    assert.ok(byPath(errs(doc({ separator: '|' })), 'separator'));
    assert.ok(byPath(errs(doc({ examples: 'a->1' })), 'examples'));
    const root = errs('[1, 2]');
    assert.equal(root[0]?.code, 'schema');
    assert.equal(root[0]?.path, undefined);
    assert.deepEqual([root[0]?.line, root[0]?.column], [1, 1]);
  });

  it('fewer than 2 examples', () => {
    const d = byPath(errs(doc({ examples: [{ input: 'a', output: '1' }] })), 'examples');
    assert.equal(d.code, 'too-few-examples');
  });

  it('task ids must match the id pattern (tasks entries, custom ids, example tasks)', () => {
    const e = errs(doc({ tasks: ['1bad', { id: 'has space', answer: 'x' }, 'ok.id-2_x'], examples: [{ input: 'a', output: '1', task: '-x' }, { input: 'b', output: '2' }] }));
    assert.ok(byPath(e, 'tasks[0]'));
    assert.ok(byPath(e, 'tasks[1].id'));
    assert.ok(byPath(e, 'examples[0].task'));
    assert.equal(e.length, 3);
    assert.ok(e.every((d) => d.code === 'schema'));
  });

  it('task entries of the wrong type', () => {
    const e = errs(doc({ tasks: ['sum.en', 7, { id: 'c', answer: 5 }] }));
    assert.match(byPath(e, 'tasks[1]').message, /built-in task id/);
    assert.ok(byPath(e, 'tasks[2].answer'));
  });
});

describe('parseStructuredMix: semantic checks', () => {
  it('custom task without answer or table', () => {
    const d = byPath(errs(doc({ tasks: ['sum.en', { id: 'my.task', label: 'x' }] })), 'tasks[1]');
    assert.equal(d.code, 'incomplete-custom-task');
    assert.match(d.message, /my\.task/);
  });

  it('duplicate task ids (string/string and string/object)', () => {
    const e = errs(doc({ tasks: ['sum.en', 'sum.digits', 'sum.en', { id: 'sum.digits', answer: '3' }] }));
    const dups = e.filter((d) => d.code === 'duplicate-task');
    assert.deepEqual(
      dups.map((d) => d.path),
      ['tasks[2]', 'tasks[3].id'],
    );
  });

  it('separator inside an output, input or query', () => {
    const e = errs(doc({ examples: [{ input: 'a', output: '1' }, { input: 'b', output: '2->3' }], query: 'x->' }));
    const out = byPath(e, 'examples[1].output');
    assert.equal(out.code, 'format');
    assert.match(out.message, /separator/);
    assert.equal(byPath(e, 'query').code, 'format');
    // The same text is fine with another separator.
    assert.ok(ok(doc({ separator: '=', examples: [{ input: 'a', output: '1' }, { input: 'b', output: '2->3' }] })));
    // Tab inside an input only matters for the tab separator.
    assert.ok(ok(doc({ examples: [{ input: 'a\tb', output: '1' }, { input: 'b', output: '2' }] })));
    assert.equal(byPath(errs(doc({ separator: '\t', examples: [{ input: 'a\tb', output: '1' }, { input: 'b', output: '2' }] })), 'examples[0].input').code, 'format');
  });

  it('multi-line values and empty values', () => {
    const e = errs(doc({ examples: [{ input: 'a\nb', output: '1' }, { input: 'b', output: '  ' }], query: '' }));
    assert.equal(byPath(e, 'examples[0].input').code, 'format');
    assert.equal(byPath(e, 'examples[1].output').code, 'empty-output');
    assert.equal(byPath(e, 'query').code, 'empty-query');
    assert.equal(byPath(errs(doc({ tasks: [{ id: 'c', answer: 'x\ry' }] })), 'tasks[0].answer').code, 'format');
  });

  it('warnings: unlisted task, duplicate example, query in examples, spaces', () => {
    const r = parseStructuredMix(
      doc({
        examples: [
          { input: 'a', output: '1', task: 'sum.en' },
          { input: 'a', output: '1', task: 'other' },
          { input: 'q', output: ' 2' },
        ],
        tasks: ['sum.en'],
      }),
    );
    assert.ok(r.mix);
    const w = r.diagnostics;
    assert.ok(w.every((d) => d.severity === 'warning'));
    assert.equal(byPath(w, 'examples[1].task').code, 'unlisted-task');
    assert.equal(byPath(w, 'examples[1]').code, 'duplicate-example');
    assert.equal(byPath(w, 'query').code, 'query-in-examples');
    assert.equal(byPath(w, 'examples[2].output').code, 'space-around-separator');
  });
});

describe('serializeStructuredMix', () => {
  const strip = (m: PromptMix): PromptMix => ({
    separator: m.separator,
    examples: m.examples.map((e) => ({ ...e, line: 0 })),
    query: m.query,
    queryLine: 0,
    prompt: m.prompt,
    ...(m.tasks ? { tasks: m.tasks } : {}),
    ...(m.customTasks ? { customTasks: m.customTasks } : {}),
  });

  it('round-trips a structured mix', () => {
    const m = ok(VALID);
    const text = serializeStructuredMix(m);
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^\{\n {2}"separator": "->",\n {2}"examples": \[\n {4}\{/);
    const again = ok(text);
    assert.deepEqual(strip(again), strip(m));
    assert.equal(serializeStructuredMix(again), text);
  });

  it('round-trips a text mix (tab separator, no tasks)', () => {
    const t = parseMixText('apple\tred\nsky\tblue\ngrass\t');
    assert.ok(t.mix);
    const again = ok(serializeStructuredMix(t.mix));
    assert.deepEqual(strip(again), strip(t.mix));
    assert.equal(again.prompt, t.mix.prompt);
  });

  it('keeps custom tasks that are not listed in tasks', () => {
    const m: PromptMix = {
      separator: ':',
      examples: [
        { input: 'a', output: '1', line: 0 },
        { input: 'b', output: '2', line: 0, task: 'x' },
      ],
      query: 'q',
      queryLine: 0,
      customTasks: [{ id: 'x', table: 't.csv' }],
      prompt: 'a:1\nb:2\nq:',
    };
    const again = ok(serializeStructuredMix(m));
    assert.deepEqual(again.tasks, ['x']);
    assert.deepEqual(again.customTasks, [{ id: 'x', table: 't.csv' }]);
    assert.equal(again.prompt, m.prompt);
  });
});

describe('parseMix dispatch', () => {
  const json = doc({});
  it('by file name', () => {
    assert.equal(parseMix(json, 'a.superposition.json').mix?.prompt, 'a->1\nb->2\nq->');
    assert.equal(parseMix(json, 'A.JSON').mix?.prompt, 'a->1\nb->2\nq->');
    assert.equal(parseMix('a->1\nb->2\nq->', 'mix.txt').mix?.query, 'q');
    // A text file named .json is read as JSON.
    assert.equal(parseMix('a->1\nb->2\nq->', 'mix.json').diagnostics[0]?.code, 'invalid-json');
  });
  it('without a name, by the first character', () => {
    assert.equal(parseMix(`\uFEFF  ${json}`).mix?.query, 'q');
    assert.equal(parseMix('a->1\nb->2\nq->').mix?.query, 'q');
  });
});

describe('formatJsonPath', () => {
  it('formats indices, identifiers and other keys', () => {
    assert.equal(formatJsonPath(['examples', 3, 'output']), 'examples[3].output');
    assert.equal(formatJsonPath(['$schema']), '$schema');
    assert.equal(formatJsonPath(['a b', 0]), '["a b"][0]');
    assert.equal(formatJsonPath([]), '');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Fuzz

const mulberry32 = seededRng;

describe('parseStructuredMix: fuzz', () => {
  it('1 200 mutated JSON documents never throw; results are consistent', () => {
    const rnd = mulberry32(2410_05603);
    const int = (n: number): number => Math.floor(rnd() * n);
    const pick = <T>(xs: readonly T[]): T => {
      const x = xs[int(xs.length)];
      if (x === undefined) throw new Error('empty pick');
      return x;
    };
    const values: unknown[] = [null, true, 0, -1.5, '', 'x', '->', '60+21', 'a\nb', '🙂', 'שלום', [], {}, [1], { id: 'x' }, 'sum.en', '1bad', '\t'];
    const keys = ['separator', 'examples', 'query', 'tasks', '$schema', 'input', 'output', 'task', 'id', 'answer', 'table', 'label', 'bogus'];
    const base = (): Record<string, unknown> => JSON.parse(VALID) as Record<string, unknown>;

    const mutateValue = (v: unknown, depth: number): unknown => {
      if (depth > 3 || rnd() < 0.15) return pick(values);
      if (Array.isArray(v)) {
        const arr = v.map((x) => (rnd() < 0.3 ? mutateValue(x, depth + 1) : x));
        if (rnd() < 0.2) arr.splice(int(arr.length + 1), 0, pick(values));
        if (rnd() < 0.2) arr.splice(int(arr.length), 1);
        return arr;
      }
      if (v !== null && typeof v === 'object') {
        const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
        for (const k of Object.keys(o)) {
          if (rnd() < 0.3) o[k] = mutateValue(o[k], depth + 1);
          if (rnd() < 0.1) delete o[k];
        }
        if (rnd() < 0.15) o[pick(keys)] = pick(values);
        return o;
      }
      return rnd() < 0.5 ? pick(values) : v;
    };

    let mixes = 0;
    let jsonErrors = 0;
    for (let iter = 0; iter < 1200; iter++) {
      let text = JSON.stringify(mutateValue(base(), 0), null, rnd() < 0.5 ? 2 : 0) ?? 'null';
      const textMode = rnd();
      if (textMode < 0.15) {
        // byte-level damage: delete, duplicate or insert characters
        const chars = ['{', '}', '[', ']', ',', ':', '"', '\\', '\n', '\r\n', ' ', 'x', '\u0000', '🙂', '\uFFFD'];
        for (let k = 0; k < 1 + int(4); k++) {
          const at = int(text.length + 1);
          const r = rnd();
          if (r < 0.4) text = text.slice(0, at) + text.slice(at + 1 + int(3));
          else text = text.slice(0, at) + pick(chars) + text.slice(at);
        }
      } else if (textMode < 0.2) {
        text = text.slice(0, int(text.length));
      } else if (textMode < 0.23) {
        text = '['.repeat(5000) + ']'.repeat(int(2) ? 5000 : 10);
      }
      let r: ParseResult | undefined;
      assert.doesNotThrow(() => {
        r = parseStructuredMix(text);
      }, `iteration ${iter}`);
      assert.ok(r);
      const lineCount = text.split(/\r\n|\r|\n/).length;
      if (r.mix) {
        mixes++;
        assert.equal(hasErrors(r.diagnostics), false);
        assert.equal(r.mix.prompt, buildPrompt(r.mix.examples, r.mix.query, r.mix.separator));
        // What the parser accepted round-trips.
        const again = parseStructuredMix(serializeStructuredMix(r.mix));
        assert.equal(again.mix?.prompt, r.mix.prompt, `iteration ${iter}: round trip`);
      } else {
        assert.ok(hasErrors(r.diagnostics), `iteration ${iter}: neither mix nor error`);
        if (r.diagnostics.some((d) => d.code === 'invalid-json')) jsonErrors++;
      }
      for (const d of r.diagnostics) {
        assert.ok(d.line >= 1 && d.line <= lineCount + 1, `iteration ${iter}: line ${d.line}`);
        assert.ok(d.column >= 1, `iteration ${iter}: column ${d.column}`);
        assert.notEqual(d.code, 'internal', `iteration ${iter}: ${d.message}`);
      }
    }
    assert.ok(mixes > 30, `only ${mixes} valid mixes`);
    assert.ok(jsonErrors > 50, `only ${jsonErrors} JSON errors`);
  });
});
