import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasErrors, type Diagnostic } from '../../src/core/diagnostics';
import { MAX_DIAGNOSTICS_PER_CODE, parseMixText, utf8ByteLength } from '../../src/core/mix/parseText';
import { buildPrompt, type ParseResult } from '../../src/core/mix/types';
import { seededRng } from '../../src/core/random';

function ok(text: string, options?: Parameters<typeof parseMixText>[1]): NonNullable<ParseResult['mix']> & { diagnostics: Diagnostic[] } {
  const r = parseMixText(text, options);
  assert.ok(r.mix, `expected a mix, got ${JSON.stringify(r.diagnostics)}`);
  assert.equal(hasErrors(r.diagnostics), false);
  return { ...r.mix, diagnostics: r.diagnostics };
}

function errors(text: string, options?: Parameters<typeof parseMixText>[1]): Diagnostic[] {
  const r = parseMixText(text, options);
  assert.equal(r.mix, undefined, 'no mix expected when there are errors');
  assert.ok(hasErrors(r.diagnostics), 'expected at least one error');
  return r.diagnostics.filter((d) => d.severity === 'error');
}

function only(diags: Diagnostic[], code: string): Diagnostic {
  const found = diags.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected exactly one ${code}, got ${JSON.stringify(diags)}`);
  const d = found[0];
  assert.ok(d);
  return d;
}

const ADD = '75+72->147\n15+43->fifty-eight\n71+55->cent vingt-six\n59+63->ciento veintidós\n60+21->';

describe('parseMixText: the paper examples', () => {
  it('add/translate with ->', () => {
    const m = ok(ADD);
    assert.equal(m.separator, '->');
    assert.deepEqual(
      m.examples.map((e) => [e.input, e.output, e.line]),
      [
        ['75+72', '147', 1],
        ['15+43', 'fifty-eight', 2],
        ['71+55', 'cent vingt-six', 3],
        ['59+63', 'ciento veintidós', 4],
      ],
    );
    assert.equal(m.query, '60+21');
    assert.equal(m.queryLine, 5);
    assert.equal(m.prompt, ADD);
    assert.deepEqual(m.diagnostics, []);
  });

  it('AB with = (the @ joiner is not a separator)', () => {
    const text = '96@55=96\n88@46=46\n63@93=156\n32@36=';
    const m = ok(text);
    assert.equal(m.separator, '=');
    assert.deepEqual(
      m.examples.map((e) => [e.input, e.output]),
      [
        ['96@55', '96'],
        ['88@46', '46'],
        ['63@93', '156'],
      ],
    );
    assert.equal(m.query, '32@36');
    assert.equal(m.prompt, text);
  });

  it('country: hyphens, commas and dots in inputs/outputs', () => {
    const text = [
      'Mali->Bamako',
      'Uganda->Africa',
      'Chile->CHILE',
      'Guinea-Bissau->Bissau',
      'Bolivia->La Paz, Sucre',
      'United States of America->Washington D.C.',
      'Colombia->Bogotá, D.C.',
      'Madagascar->',
    ].join('\n');
    const m = ok(text);
    assert.equal(m.separator, '->');
    assert.deepEqual(m.examples[3], { input: 'Guinea-Bissau', output: 'Bissau', line: 4 });
    assert.equal(m.examples[4]?.output, 'La Paz, Sucre');
    assert.equal(m.examples[5]?.output, 'Washington D.C.');
    assert.equal(m.examples[6]?.output, 'Bogotá, D.C.');
    assert.equal(m.query, 'Madagascar');
    assert.equal(m.prompt, text);
  });

  it('word: single letters', () => {
    const text = 'planet->p\nplanet->T\nriver->R\nstone->e\nword->';
    const m = ok(text);
    assert.deepEqual(
      m.examples.map((e) => e.output),
      ['p', 'T', 'R', 'e'],
    );
    assert.equal(m.query, 'word');
    assert.equal(m.prompt, text);
  });

  it('=> wins over = (it contains it), and : is detected', () => {
    const a = ok('a=>1\nb=>2\nc=>');
    assert.equal(a.separator, '=>');
    assert.deepEqual(a.examples[0], { input: 'a', output: '1', line: 1 });
    const b = ok('a:1\nb:2\nc:');
    assert.equal(b.separator, ':');
    assert.equal(b.prompt, 'a:1\nb:2\nc:');
  });

  it('-> wins over : and = occurring in every line; split at the first separator', () => {
    const m = ok('x=1:a->b->c\ny=2:d->e\nz=3:q->');
    assert.equal(m.separator, '->');
    assert.deepEqual(m.examples[0], { input: 'x=1:a', output: 'b->c', line: 1 });
    assert.equal(m.query, 'z=3:q');
  });

  it('tab separator: the query keeps its final tab; trailing tabs on examples are ignored', () => {
    const m = ok('apple\tred\t\nsky\tblue  \ngrass\t');
    assert.equal(m.separator, '\t');
    assert.deepEqual(
      m.examples.map((e) => [e.input, e.output]),
      [
        ['apple', 'red'],
        ['sky', 'blue'],
      ],
    );
    assert.equal(m.query, 'grass');
    assert.equal(m.prompt, 'apple\tred\nsky\tblue\ngrass\t');
    // Trailing spaces after the query tab are ignored too.
    assert.equal(ok('a\tb\nc\td\nq\t   ').query, 'q');
  });

  it('a trailing tab on an -> query line does not turn tab into the separator', () => {
    const m = ok('a->b\nc->d\nq->\t');
    assert.equal(m.separator, '->');
    assert.equal(m.prompt, 'a->b\nc->d\nq->');
  });
});

describe('parseMixText: tolerated formatting', () => {
  const expected = ok(ADD).prompt;
  for (const [name, text] of [
    ['CRLF', ADD.replace(/\n/g, '\r\n')],
    ['lone CR', ADD.replace(/\n/g, '\r')],
    ['blank lines', `\n\n${ADD.replace('\n15+43', '\n\n   \n15+43')}\n\n`],
    ['trailing spaces and tabs', ADD.split('\n').map((l) => `${l}  \t `).join('\n')],
    ['trailing newline', `${ADD}\n`],
    ['trailing CRLF', `${ADD}\r\n`],
    ['UTF-8 BOM', `\uFEFF${ADD}`],
  ] as const) {
    it(name, () => {
      const m = ok(text);
      assert.equal(m.prompt, expected);
      assert.equal(m.examples.length, 4);
      assert.equal(m.query, '60+21');
    });
  }

  it('lines are reported with their source line numbers (blank lines counted)', () => {
    const m = ok('\r\na->1\r\n\r\nb->2\r\n\r\nq->\r\n');
    assert.deepEqual(
      m.examples.map((e) => e.line),
      [2, 4],
    );
    assert.equal(m.queryLine, 6);
  });

  it('mixed line endings give an info diagnostic, not an error', () => {
    const m = ok('a->1\r\nb->2\nq->');
    const d = only(m.diagnostics, 'mixed-line-endings');
    assert.equal(d.severity, 'info');
    assert.equal(d.line, 2);
  });

  it('keeps inputs and outputs as written (no trimming apart from the line end)', () => {
    const m = ok('  a->b c\n x ->y\nq->');
    assert.equal(m.examples[0]?.input, '  a');
    assert.equal(m.examples[0]?.output, 'b c');
    assert.equal(m.examples[1]?.input, ' x ');
    assert.equal(m.prompt, '  a->b c\n x ->y\nq->');
  });

  it('emoji and RTL text', () => {
    const text = '🙂->smile\nשלום->hello\nمرحبا->';
    const m = ok(text);
    assert.equal(m.examples[1]?.input, 'שלום');
    assert.equal(m.query, 'مرحبا');
    assert.equal(m.prompt, text);
  });
});

describe('parseMixText: errors', () => {
  it('empty and whitespace-only', () => {
    for (const text of ['', '   ', '\n\n\t\r\n', '\uFEFF', '\uFEFF \n']) {
      const d = only(errors(text), 'empty');
      assert.equal(d.line, 1);
      assert.equal(d.column, 1);
    }
  });

  it('too large: says the size and the limit, does not parse further', () => {
    const text = 'é->1\nb->2\nq->'; // é is 2 bytes: 14 bytes in all
    assert.equal(utf8ByteLength(text), 14);
    const diags = parseMixText(text, { maxBytes: 13 }).diagnostics;
    assert.equal(diags.length, 1);
    const d = only(diags, 'too-large');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /14 bytes/);
    assert.match(d.message, /13 bytes/);
    assert.equal(d.line, 1);
    assert.equal(d.column, 1);
    assert.ok(ok(text, { maxBytes: 14 }));
    // Too large even though it would also fail to parse.
    assert.equal(parseMixText('x'.repeat(100), { maxBytes: 10 }).diagnostics[0]?.code, 'too-large');
  });

  it('utf8ByteLength counts surrogate pairs as 4 bytes', () => {
    assert.equal(utf8ByteLength('🙂'), 4);
    assert.equal(utf8ByteLength('aé€🙂'), 1 + 2 + 3 + 4);
    assert.equal(utf8ByteLength('\ud800x'), 4); // lone surrogate → U+FFFD (3) + x
  });

  it('binary: NUL at its position, and nothing else', () => {
    const diags = parseMixText('a->1\nbc\u0000->2\nq->').diagnostics;
    assert.equal(diags.length, 1);
    const d = only(diags, 'binary');
    assert.equal(d.line, 2);
    assert.equal(d.column, 3);
    assert.equal(d.endColumn, 4);
    assert.match(d.message, /NUL/);
  });

  it('binary: other C0 controls (CRLF lines counted once, BOM not counted)', () => {
    const d = only(errors('\uFEFFa->1\r\nb->2\r\nq\u001b->'), 'binary');
    assert.equal(d.line, 3);
    assert.equal(d.column, 2);
    assert.match(d.message, /U\+001B/);
  });

  it('binary: many U+FFFD replacement characters', () => {
    const d = only(errors('a->1\n\uFFFD\uFFFD->\uFFFD\uFFFD\nq->'), 'binary');
    assert.equal(d.line, 2);
    assert.equal(d.column, 1);
    // One replacement character in a normal file is fine.
    assert.ok(ok('a->\uFFFD\nb->2\nc->3\nd->4\nquery->'));
  });

  it('no-query: the last line is an example', () => {
    const d = only(errors(ADD.replace('\n60+21->', '')), 'no-query');
    assert.equal(d.line, 4);
    assert.equal(d.column, 1);
    assert.equal(d.endColumn, '59+63->ciento veintidós'.length + 1);
    assert.match(d.message, /the last line must be the query: input followed by `->` and nothing after it/);
  });

  it('no-query: text after the first separator, or no separator on the last line', () => {
    assert.equal(only(errors('a->b\nc->d\nq->x->'), 'no-query').line, 3);
    const e = errors('a->b\nc->d\n\nquery\n\n');
    const d = only(e, 'no-query');
    assert.equal(d.line, 4);
    assert.equal(e.some((x) => x.code === 'line-without-separator'), false);
  });

  it('empty query input', () => {
    const d = only(errors('a->b\nc->d\n->'), 'empty-query');
    assert.equal(d.line, 3);
    assert.equal(d.column, 1);
    assert.equal(d.endColumn, 3);
  });

  it('line-without-separator on each offending line', () => {
    const e = errors('a->1\nb->2\nthis line has none\nc->3\nalso none\nq->');
    const lines = e.filter((d) => d.code === 'line-without-separator');
    assert.deepEqual(
      lines.map((d) => [d.line, d.column, d.endColumn]),
      [
        [3, 1, 19],
        [5, 1, 10],
      ],
    );
    assert.equal(e.length, 2);
  });

  it('no-separator when no candidate occurs anywhere', () => {
    const e = errors('\nhello world\nfoo bar\n');
    assert.equal(e.length, 1);
    const d = only(e, 'no-separator');
    assert.equal(d.line, 2);
    assert.equal(d.column, 1);
  });

  it('too-few-examples (default 2, and the option)', () => {
    const d = only(errors('a->1\nq->'), 'too-few-examples');
    assert.equal(d.line, 2);
    assert.match(d.message, /found 1 example line; at least 2/);
    assert.equal(only(errors('q->'), 'too-few-examples').line, 1);
    assert.ok(ok('a->1\nq->', { minExamples: 1 }));
    assert.equal(only(errors('a->1\nb->2\nq->', { minExamples: 3 }), 'too-few-examples').line, 3);
  });

  it('empty-output in the middle (points at the separator)', () => {
    const d = only(errors('a->1\nxy->\nb->2\nq->'), 'empty-output');
    assert.equal(d.line, 2);
    assert.equal(d.column, 3);
    assert.equal(d.endColumn, 5);
  });

  it('empty-input', () => {
    const d = only(errors('a->1\n  ->2\nb->3\nq->'), 'empty-input');
    assert.equal(d.line, 2);
    assert.equal(d.column, 3);
  });

  it('tab file: a middle line with only a trailing tab has no separator', () => {
    const d = only(errors('a\t1\nb\t\nc\t3\nq\t'), 'line-without-separator');
    assert.equal(d.line, 2);
    assert.match(d.message, /tab/);
  });

  it('caps each code at MAX_DIAGNOSTICS_PER_CODE plus one summary', () => {
    const lines = ['a->1', 'b->2'];
    for (let i = 0; i < 500; i++) lines.push(`none ${i}`);
    lines.push('q->');
    const e = errors(lines.join('\n'));
    const without = e.filter((d) => d.code === 'line-without-separator');
    assert.equal(without.length, MAX_DIAGNOSTICS_PER_CODE + 1);
    assert.ok(without.some((d) => /400 more lines/.test(d.message)));
  });
});

describe('parseMixText: warnings keep the mix', () => {
  it('duplicate-example', () => {
    const m = ok('a->1\nb->2\na->1\nq->');
    const d = only(m.diagnostics, 'duplicate-example');
    assert.equal(d.severity, 'warning');
    assert.equal(d.line, 3);
    assert.match(d.message, /line 1/);
    assert.equal(m.examples.length, 3);
  });

  it('same input with another output is not a duplicate', () => {
    assert.deepEqual(ok('planet->p\nplanet->T\nq->').diagnostics, []);
  });

  it('query-in-examples', () => {
    const m = ok('60+21->81\n15+43->58\n60+21->');
    const d = only(m.diagnostics, 'query-in-examples');
    assert.equal(d.severity, 'warning');
    assert.equal(d.line, 3);
    assert.equal(d.column, 1);
    assert.equal(d.endColumn, 6);
  });

  it('space-around-separator spans the whitespace, prompt keeps the text', () => {
    const m = ok('75+72 -> 147\n15+43->58\n60+21 ->');
    const ws = m.diagnostics.filter((d) => d.code === 'space-around-separator');
    assert.deepEqual(
      ws.map((d) => [d.line, d.column, d.endColumn, d.severity]),
      [
        [1, 6, 10, 'warning'],
        [3, 6, 7, 'warning'],
      ],
    );
    assert.equal(m.examples[0]?.output, ' 147');
    assert.equal(m.query, '60+21 ');
    assert.equal(m.prompt, '75+72 -> 147\n15+43->58\n60+21 ->');
  });
});

describe('parseMixText: performance', () => {
  it('parses ~1 MB in well under a second', () => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 990_000; i++) {
      const line = `${10 + (i % 90)}+${10 + ((i * 7) % 90)}->ciento veintidós ${i}`;
      lines.push(line);
      size += utf8ByteLength(line) + 1;
    }
    lines.push('60+21->');
    const text = lines.join('\n');
    assert.ok(utf8ByteLength(text) <= 1_000_000);
    const t0 = performance.now();
    const r = parseMixText(text);
    const ms = performance.now() - t0;
    assert.ok(r.mix);
    assert.equal(r.mix.examples.length, lines.length - 1);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  it('a single 900 kB line with long inner space runs stays fast', () => {
    const text = `a${' '.repeat(450_000)}b${' '.repeat(450_000)}c`;
    const t0 = performance.now();
    const r = parseMixText(text);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(r.diagnostics[0]?.code, 'no-separator');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Fuzz

const mulberry32 = seededRng;

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function checkInvariants(text: string, r: ParseResult, label: string): void {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\r|\n/);
  const n = lineCount(text);
  if (r.mix) {
    assert.equal(hasErrors(r.diagnostics), false, `${label}: mix with errors`);
    assert.equal(r.mix.prompt, buildPrompt(r.mix.examples, r.mix.query, r.mix.separator), label);
    assert.ok(!r.mix.prompt.includes('\r'), `${label}: CR in prompt`);
    for (const e of r.mix.examples) assert.ok(e.line >= 1 && e.line <= n, `${label}: example line ${e.line}`);
  } else {
    assert.ok(hasErrors(r.diagnostics), `${label}: neither a mix nor an error`);
  }
  for (const d of r.diagnostics) {
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= n + 1, `${label}: line ${d.line} of ${n}`);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, `${label}: column ${d.column}`);
    const len = lines[d.line - 1]?.length ?? 0;
    assert.ok(d.column <= len + 1, `${label}: column ${d.column} beyond line length ${len}`);
    if (d.endColumn !== undefined) assert.ok(d.endColumn >= d.column && d.endColumn <= len + 2, `${label}: endColumn ${d.endColumn}`);
    assert.ok(['error', 'warning', 'info'].includes(d.severity));
    assert.ok(d.code.length > 0 && d.message.length > 0);
  }
}

describe('parseMixText: fuzz', () => {
  it('1 500 generated malformed inputs never throw and give a mix or an error', () => {
    const rnd = mulberry32(20241008);
    const pick = <T>(xs: readonly T[]): T => {
      const x = xs[Math.floor(rnd() * xs.length)];
      if (x === undefined) throw new Error('empty pick');
      return x;
    };
    const seps = ['->', '=>', '=', ':', '\t', '-', '>', ' -> ', '', '—>'];
    const words = ['75+72', '147', 'Guinea-Bissau', 'Washington D.C.', 'La Paz, Sucre', '🙂', '👨‍👩‍👧', 'שלום', 'مرحبا', 'é', 'x', '', ' ', '\t', 'a:b', 'c=d', 'Ω', '\uFFFD', '\u202E', '\u00A0'];
    const controls = ['\u0000', '\u0001', '\u0007', '\u001b', '\u000b', '\u000c', '\u007f', '\u0085'];
    const endings = ['\n', '\r\n', '\r', '\n\n', '\r\n\r\n', ' \n', '\t\n'];
    let mixes = 0;
    let failures = 0;
    for (let iter = 0; iter < 1500; iter++) {
      let text: string;
      const mode = rnd();
      if (mode < 0.1) {
        // random bytes decoded as latin1
        const bytes = Buffer.alloc(Math.floor(rnd() * 300));
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
        text = bytes.toString('latin1');
      } else {
        const sep = rnd() < 0.7 ? pick(['->', '=', '\t', ':', '=>']) : pick(seps);
        const n = Math.floor(rnd() * 12);
        const parts: string[] = [];
        if (rnd() < 0.1) parts.push('\uFEFF');
        for (let i = 0; i < n; i++) {
          const lineSep = rnd() < 0.85 ? sep : pick(seps);
          let line = `${pick(words)}${pick(words)}${lineSep}${pick(words)}`;
          if (rnd() < 0.05) line = line.repeat(2000); // huge line
          if (rnd() < 0.08) line = line.slice(0, Math.floor(rnd() * line.length)); // truncated
          if (rnd() < 0.05) line += pick(controls);
          if (rnd() < 0.1 && parts.length > 0) line = parts[parts.length - 2] ?? line; // duplicate
          parts.push(line, pick(endings));
        }
        if (rnd() < 0.75) parts.push(`${pick(words)}${pick(words)}${sep}`); // query (else missing)
        if (rnd() < 0.3) parts.push(pick(endings));
        text = parts.join('');
        if (rnd() < 0.05) text = text.slice(0, Math.floor(rnd() * text.length));
      }
      let r: ParseResult | undefined;
      assert.doesNotThrow(() => {
        r = parseMixText(text, { maxBytes: rnd() < 0.05 ? 50 : 1_000_000 });
      }, `iteration ${iter}`);
      assert.ok(r);
      checkInvariants(text, r, `iteration ${iter}`);
      if (r.mix) mixes++;
      else failures++;
    }
    // The generator must exercise both outcomes.
    assert.ok(mixes > 50, `only ${mixes} valid mixes`);
    assert.ok(failures > 300, `only ${failures} failures`);
  });
});
