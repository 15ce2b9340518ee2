import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTINENTS, COUNTRIES, findCountry, type Continent } from '../../src/core/tasks/countries';

/** Printable ASCII, no `->`, `=`, `:`; no leading/trailing space. */
function assertFormatSafe(text: string, what: string): void {
  assert.match(text, /^[\x20-\x7e]+$/, `${what} is not a single printable-ASCII line: ${JSON.stringify(text)}`);
  assert.ok(!text.includes('->'), `${what} contains "->"`);
  assert.ok(!/[=:\t]/.test(text), `${what} contains "=", ":" or a tab`);
  assert.equal(text, text.trim(), `${what} has outer whitespace`);
}

describe('COUNTRIES', () => {
  it('covers the 193 UN member states', () => {
    assert.ok(COUNTRIES.length >= 193, `only ${COUNTRIES.length}`);
    assert.equal(COUNTRIES.length, 193);
  });

  it('has unique names, also after upper-casing', () => {
    const names = COUNTRIES.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(new Set(names.map((n) => n.toUpperCase())).size, names.length);
  });

  it('has no format-breaking characters in names or capitals', () => {
    for (const c of COUNTRIES) {
      assertFormatSafe(c.name, `name ${c.name}`);
      assertFormatSafe(c.capital, `capital of ${c.name}`);
    }
  });

  it('uses only the six continent labels and ISO 4217-shaped codes', () => {
    const continents = new Set<string>(CONTINENTS);
    for (const c of COUNTRIES) {
      assert.ok(continents.has(c.continent), `${c.name}: ${c.continent}`);
      assert.match(c.currency, /^[A-Z]{3}$/, `${c.name}: ${c.currency}`);
    }
  });

  it('splits into the expected continent counts', () => {
    const counts = new Map<Continent, number>();
    for (const c of COUNTRIES) counts.set(c.continent, (counts.get(c.continent) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), {
      Africa: 54,
      Asia: 47,
      Europe: 43,
      'North America': 23,
      'South America': 12,
      Oceania: 14,
    });
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(COUNTRIES));
    const first = COUNTRIES[0];
    assert.ok(first !== undefined && Object.isFrozen(first));
  });

  const spot: Array<[string, Partial<{ capital: string; continent: Continent; currency: string }>]> = [
    ['Ukraine', { capital: 'Kyiv', continent: 'Europe', currency: 'UAH' }],
    ['Eswatini', { capital: 'Mbabane', continent: 'Africa', currency: 'SZL' }],
    ['North Macedonia', { capital: 'Skopje', continent: 'Europe', currency: 'MKD' }],
    ['Madagascar', { capital: 'Antananarivo', continent: 'Africa', currency: 'MGA' }],
    ['Mali', { capital: 'Bamako', continent: 'Africa', currency: 'XOF' }],
    ['Uganda', { capital: 'Kampala', continent: 'Africa' }],
    ['Chile', { capital: 'Santiago', continent: 'South America', currency: 'CLP' }],
    ['Russia', { capital: 'Moscow', continent: 'Europe', currency: 'RUB' }],
    ['Turkey', { capital: 'Ankara', continent: 'Asia', currency: 'TRY' }],
    ['Egypt', { capital: 'Cairo', continent: 'Africa' }],
    ['Kazakhstan', { capital: 'Astana', continent: 'Asia' }],
    ['Japan', { capital: 'Tokyo', currency: 'JPY' }],
    ['Germany', { capital: 'Berlin', currency: 'EUR' }],
    ['Croatia', { currency: 'EUR' }],
    ['Bulgaria', { capital: 'Sofia', currency: 'EUR' }],
    ['Zimbabwe', { capital: 'Harare', currency: 'ZWG' }],
    ['Sierra Leone', { capital: 'Freetown', currency: 'SLE' }],
    ['Venezuela', { capital: 'Caracas', currency: 'VES' }],
    ['Bolivia', { capital: 'Sucre', continent: 'South America' }],
    ['Myanmar', { capital: 'Naypyidaw' }],
    ['Czechia', { capital: 'Prague', currency: 'CZK' }],
    ['United States of America', { capital: 'Washington, D.C.', continent: 'North America', currency: 'USD' }],
    ['Mexico', { continent: 'North America' }],
    ['Australia', { capital: 'Canberra', continent: 'Oceania', currency: 'AUD' }],
    ['Singapore', { capital: 'Singapore' }],
  ];
  for (const [name, expected] of spot) {
    it(`spot check: ${name}`, () => {
      const country = findCountry(name);
      assert.ok(country !== undefined, `${name} missing`);
      assert.deepEqual({ ...pickKeys(country, Object.keys(expected)) }, expected);
    });
  }
});

function pickKeys(country: object, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = (country as Record<string, unknown>)[key];
  return out;
}

describe('findCountry', () => {
  it('matches exact names only', () => {
    assert.equal(findCountry('Madagascar')?.capital, 'Antananarivo');
    assert.equal(findCountry('madagascar'), undefined);
    assert.equal(findCountry('MADAGASCAR'), undefined);
    assert.equal(findCountry(' Madagascar'), undefined);
    assert.equal(findCountry('Atlantis'), undefined);
  });
});

describe('CONTINENTS', () => {
  it('lists the six labels once each', () => {
    assert.deepEqual([...CONTINENTS].sort(), ['Africa', 'Asia', 'Europe', 'North America', 'Oceania', 'South America']);
  });
});
