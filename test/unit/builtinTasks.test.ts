import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BUILTIN_TASKS,
  getInputSampler,
  getTask,
  isCountryInput,
  isWordInput,
  parseNumberInput,
  sampleInput,
  TASK_SETS,
  type TaskSetId,
} from '../../src/core/tasks/builtin';
import { COUNTRIES } from '../../src/core/tasks/countries';
import type { Rng, TaskDefinition } from '../../src/core/tasks/types';
import { WORDS } from '../../src/core/tasks/words';
import { seededRng } from '../../src/core/random';

function task(id: string): TaskDefinition {
  const t = getTask(id);
  assert.ok(t !== undefined, `task ${id} missing`);
  return t;
}

function run(id: string, input: string): string | undefined {
  return task(id).apply(input);
}

const seeded = seededRng;

describe('registry', () => {
  it('has unique ids and the expected task list', () => {
    const ids = BUILTIN_TASKS.map((t) => t.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, [
      'sum.digits',
      'sum.en',
      'sum.fr',
      'sum.es',
      'sum.de',
      'sum.it',
      'ab.copy1',
      'ab.copy2',
      'country.capital',
      'country.continent',
      'country.upper',
      'country.currency',
      'word.first_lower',
      'word.last_lower',
      'word.first_upper',
      'word.last_upper',
    ]);
    for (const t of BUILTIN_TASKS) {
      assert.ok(t.label.length > 0, `${t.id} has no label`);
      assert.equal(getTask(t.id), t);
    }
  });

  it('assigns families by id prefix', () => {
    const prefixFamily: Record<string, string> = { sum: 'numbers', ab: 'numbers', country: 'country', word: 'word' };
    for (const t of BUILTIN_TASKS) {
      assert.equal(t.family, prefixFamily[t.id.split('.')[0] ?? ''], t.id);
    }
  });

  it('getTask returns undefined for unknown ids', () => {
    assert.equal(getTask('sum.klingon'), undefined);
    assert.equal(getTask(''), undefined);
  });

  it('uses human-readable labels', () => {
    assert.equal(task('sum.fr').label, 'A+B in French words');
    assert.equal(task('country.capital').label, 'Capital of country');
  });
});

describe('TASK_SETS', () => {
  it('matches the paper task sets, in order', () => {
    assert.deepEqual(TASK_SETS, {
      'add-translate': ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'],
      country: ['country.capital', 'country.continent', 'country.upper'],
      ab: ['ab.copy1', 'ab.copy2', 'sum.digits'],
      word: ['word.first_lower', 'word.last_lower', 'word.first_upper', 'word.last_upper'],
    });
  });

  it('resolves every id and each set shares one family', () => {
    for (const [setId, ids] of Object.entries(TASK_SETS)) {
      const families = new Set(ids.map((id) => task(id).family));
      assert.equal(families.size, 1, setId);
    }
  });
});

describe('numbers tasks', () => {
  it('add-translate in-context examples from the paper', () => {
    assert.equal(run('sum.digits', '75+72'), '147');
    assert.equal(run('sum.en', '15+43'), 'fifty-eight');
    assert.equal(run('sum.fr', '71+55'), 'cent vingt-six');
    assert.equal(run('sum.es', '59+63'), 'ciento veintidós');
  });

  it('add-translate query 60+21 from the paper', () => {
    assert.deepEqual(
      TASK_SETS['add-translate'].map((id) => run(id, '60+21')),
      ['81', 'eighty-one', 'quatre-vingt-un', 'ochenta y uno'],
    );
    assert.equal(run('sum.de', '60+21'), 'einundachtzig');
    assert.equal(run('sum.it', '60+21'), 'ottantuno');
  });

  it('AB examples and query from the paper', () => {
    assert.equal(run('ab.copy1', '96@55'), '96');
    assert.equal(run('ab.copy2', '88@46'), '46');
    assert.equal(run('sum.digits', '63@93'), '156');
    assert.deepEqual(
      TASK_SETS.ab.map((id) => run(id, '32@36')),
      ['32', '36', '68'],
    );
  });

  it('copy tasks return the operand as written and need the @ joiner', () => {
    assert.equal(run('ab.copy1', '07@5'), '07');
    assert.equal(run('ab.copy2', '0@005'), '005');
    assert.equal(run('ab.copy1', '96+55'), undefined);
    assert.equal(run('ab.copy2', '88+46'), undefined);
  });

  it('sum tasks accept both joiners and the full 0–999 sum range', () => {
    assert.equal(run('sum.en', '63@93'), 'one hundred and fifty-six');
    assert.equal(run('sum.digits', '0+0'), '0');
    assert.equal(run('sum.fr', '0+0'), 'zéro');
    assert.equal(run('sum.digits', '500+499'), '999');
    assert.equal(run('sum.es', '999+0'), 'novecientos noventa y nueve');
  });

  it('rejects out-of-domain inputs', () => {
    const bad = [
      '',
      '75',
      '75+',
      '+72',
      '75 + 72',
      ' 75+72',
      '75+72 ',
      '-5+3',
      '5+-3',
      '+5+3',
      '1.5+2',
      '75-72',
      '75*72',
      '75+72+1',
      '1000+0',
      '500+500',
      '999+1',
      'a+b',
      '７５+７２', // full-width digits
      'Madagascar',
      'planet',
    ];
    for (const input of bad) {
      for (const t of BUILTIN_TASKS.filter((x) => x.family === 'numbers')) {
        assert.equal(t.apply(input), undefined, `${t.id}(${JSON.stringify(input)})`);
      }
    }
    // Copy tasks share the sum ≤ 999 domain.
    assert.equal(run('ab.copy1', '600@400'), undefined);
  });

  it('parseNumberInput exposes operands, joiner and raw text', () => {
    assert.deepEqual(parseNumberInput('09@10'), { a: 9, b: 10, joiner: '@', aText: '09', bText: '10' });
    assert.deepEqual(parseNumberInput('60+21'), { a: 60, b: 21, joiner: '+', aText: '60', bText: '21' });
    assert.equal(parseNumberInput('60/21'), undefined);
  });
});

describe('country tasks', () => {
  it('Madagascar query from the paper', () => {
    assert.deepEqual(
      TASK_SETS.country.map((id) => run(id, 'Madagascar')),
      ['Antananarivo', 'Africa', 'MADAGASCAR'],
    );
    assert.equal(run('country.currency', 'Madagascar'), 'MGA');
  });

  it('in-context examples from the paper', () => {
    assert.equal(run('country.capital', 'Mali'), 'Bamako');
    assert.equal(run('country.continent', 'Uganda'), 'Africa');
    assert.equal(run('country.upper', 'Chile'), 'CHILE');
    assert.equal(run('country.upper', "Cote d'Ivoire"), "COTE D'IVOIRE");
    assert.equal(run('country.currency', 'Japan'), 'JPY');
  });

  it('every country is in the domain of every country task', () => {
    for (const c of COUNTRIES) {
      assert.equal(run('country.capital', c.name), c.capital);
      assert.equal(run('country.continent', c.name), c.continent);
      assert.equal(run('country.upper', c.name), c.name.toUpperCase());
      assert.equal(run('country.currency', c.name), c.currency);
      assert.ok(isCountryInput(c.name));
    }
  });

  it('rejects unknown or non-exact names', () => {
    for (const input of ['', 'madagascar', 'MADAGASCAR', 'Madagascar ', 'Atlantis', '60+21']) {
      for (const id of ['country.capital', 'country.continent', 'country.upper', 'country.currency']) {
        assert.equal(run(id, input), undefined, `${id}(${JSON.stringify(input)})`);
      }
    }
  });
});

describe('word tasks', () => {
  it('planet → p, t, P, T', () => {
    assert.deepEqual(
      TASK_SETS.word.map((id) => run(id, 'planet')),
      ['p', 't', 'P', 'T'],
    );
  });

  it('word query from the paper and mixed-case input', () => {
    assert.deepEqual(
      TASK_SETS.word.map((id) => run(id, 'word')),
      ['w', 'd', 'W', 'D'],
    );
    assert.deepEqual(
      TASK_SETS.word.map((id) => run(id, 'PlaNeT')),
      ['p', 't', 'P', 'T'],
    );
  });

  it('rejects out-of-domain inputs', () => {
    for (const input of ['', 'a', 'two words', 'planet ', 'don\'t', 'café', 'abc1', '60+21', 'x-y']) {
      for (const id of TASK_SETS.word) {
        assert.equal(run(id, input), undefined, `${id}(${JSON.stringify(input)})`);
      }
      assert.equal(isWordInput(input), false, input);
    }
  });
});

describe('sampleInput', () => {
  const SETS_BY_FAMILY: Array<[TaskSetId, 'numbers' | 'country' | 'word', '+' | '@']> = [
    ['add-translate', 'numbers', '+'],
    ['ab', 'numbers', '@'],
    ['country', 'country', '+'],
    ['word', 'word', '+'],
  ];

  for (const [setId, family, joiner] of SETS_BY_FAMILY) {
    it(`${family} (${joiner}) inputs are valid for every task of ${setId}`, () => {
      const rng = seeded(42);
      for (let i = 0; i < 500; i++) {
        const input = sampleInput(family, rng, joiner);
        for (const id of TASK_SETS[setId]) {
          assert.notEqual(run(id, input), undefined, `${id}(${JSON.stringify(input)})`);
        }
      }
    });
  }

  it('numbers: operands uniform integers in [10, 99], both ends reached', () => {
    const rng = seeded(7);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const input = sampleInput('numbers', rng, '+');
      const match = /^(\d+)\+(\d+)$/.exec(input);
      assert.ok(match !== null, input);
      for (const operand of [Number(match[1]), Number(match[2])]) {
        assert.ok(operand >= 10 && operand <= 99, input);
        seen.add(operand);
      }
    }
    assert.equal(seen.size, 90);
  });

  it('numbers: honours the joiner', () => {
    assert.match(sampleInput('numbers', seeded(1), '@'), /^\d{2}@\d{2}$/);
    assert.match(sampleInput('numbers', seeded(1)), /^\d{2}\+\d{2}$/);
  });

  it('is deterministic for a seed and stays in range at the rng extremes', () => {
    const a = Array.from({ length: 20 }, ((r) => () => sampleInput('country', r))(seeded(3)));
    const b = Array.from({ length: 20 }, ((r) => () => sampleInput('country', r))(seeded(3)));
    assert.deepEqual(a, b);
    assert.equal(sampleInput('numbers', () => 0, '+'), '10+10');
    assert.equal(sampleInput('numbers', () => 0.999999999, '@'), '99@99');
    assert.equal(sampleInput('country', () => 0), COUNTRIES[0]?.name);
    assert.equal(sampleInput('word', () => 0.999999999), WORDS[WORDS.length - 1]);
    // An out-of-contract rng returning exactly 1 must not index past the end.
    assert.equal(sampleInput('word', () => 1), WORDS[WORDS.length - 1]);
  });

  it('country and word samples come from the data lists', () => {
    const rng = seeded(11);
    const names = new Set(COUNTRIES.map((c) => c.name));
    const words = new Set(WORDS);
    for (let i = 0; i < 200; i++) {
      assert.ok(names.has(sampleInput('country', rng)));
      assert.ok(words.has(sampleInput('word', rng)));
    }
  });

  it('getInputSampler covers built-in families only', () => {
    assert.equal(getInputSampler('custom'), undefined);
    assert.throws(() => sampleInput('custom', seeded(1)), /custom/);
    assert.equal(getInputSampler('numbers')?.family, 'numbers');
    assert.equal(getInputSampler('country')?.family, 'country');
    assert.equal(getInputSampler('word')?.family, 'word');
  });
});

describe('WORDS', () => {
  it('has ≥ 400 unique lower-case ASCII words, length > 1, first ≠ last letter', () => {
    assert.ok(WORDS.length >= 400, `only ${WORDS.length}`);
    assert.equal(new Set(WORDS).size, WORDS.length);
    for (const w of WORDS) {
      assert.match(w, /^[a-z]{2,}$/, w);
      assert.notEqual(w[0], w[w.length - 1], w);
    }
  });
});
