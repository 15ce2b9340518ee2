import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NUMBER_LANGUAGES,
  numberFromWords,
  numberToWords,
  type NumberLanguage,
} from '../../src/core/tasks/numberWords';

const EXPECTED: Record<NumberLanguage, Record<number, string>> = {
  en: {
    0: 'zero',
    1: 'one',
    16: 'sixteen',
    17: 'seventeen',
    21: 'twenty-one',
    22: 'twenty-two',
    30: 'thirty',
    58: 'fifty-eight',
    71: 'seventy-one',
    80: 'eighty',
    81: 'eighty-one',
    91: 'ninety-one',
    99: 'ninety-nine',
    100: 'one hundred',
    101: 'one hundred and one',
    111: 'one hundred and eleven',
    174: 'one hundred and seventy-four',
    200: 'two hundred',
    201: 'two hundred and one',
    280: 'two hundred and eighty',
    999: 'nine hundred and ninety-nine',
  },
  fr: {
    0: 'zéro',
    1: 'un',
    16: 'seize',
    17: 'dix-sept',
    21: 'vingt et un',
    22: 'vingt-deux',
    30: 'trente',
    61: 'soixante et un',
    70: 'soixante-dix',
    71: 'soixante et onze',
    72: 'soixante-douze',
    79: 'soixante-dix-neuf',
    80: 'quatre-vingts',
    81: 'quatre-vingt-un',
    90: 'quatre-vingt-dix',
    91: 'quatre-vingt-onze',
    99: 'quatre-vingt-dix-neuf',
    100: 'cent',
    101: 'cent un',
    111: 'cent onze',
    121: 'cent vingt et un',
    126: 'cent vingt-six',
    174: 'cent soixante-quatorze',
    180: 'cent quatre-vingts',
    200: 'deux cents',
    201: 'deux cent un',
    280: 'deux cent quatre-vingts',
    281: 'deux cent quatre-vingt-un',
    999: 'neuf cent quatre-vingt-dix-neuf',
  },
  es: {
    0: 'cero',
    1: 'uno',
    16: 'dieciséis',
    17: 'diecisiete',
    21: 'veintiuno',
    22: 'veintidós',
    23: 'veintitrés',
    26: 'veintiséis',
    30: 'treinta',
    31: 'treinta y uno',
    71: 'setenta y uno',
    80: 'ochenta',
    81: 'ochenta y uno',
    91: 'noventa y uno',
    99: 'noventa y nueve',
    100: 'cien',
    101: 'ciento uno',
    111: 'ciento once',
    122: 'ciento veintidós',
    174: 'ciento setenta y cuatro',
    200: 'doscientos',
    201: 'doscientos uno',
    280: 'doscientos ochenta',
    500: 'quinientos',
    700: 'setecientos',
    900: 'novecientos',
    999: 'novecientos noventa y nueve',
  },
  de: {
    0: 'null',
    1: 'eins',
    16: 'sechzehn',
    17: 'siebzehn',
    21: 'einundzwanzig',
    22: 'zweiundzwanzig',
    30: 'dreißig',
    31: 'einunddreißig',
    71: 'einundsiebzig',
    80: 'achtzig',
    81: 'einundachtzig',
    91: 'einundneunzig',
    99: 'neunundneunzig',
    100: 'einhundert',
    101: 'einhunderteins',
    111: 'einhundertelf',
    121: 'einhunderteinundzwanzig',
    174: 'einhundertvierundsiebzig',
    200: 'zweihundert',
    201: 'zweihunderteins',
    280: 'zweihundertachtzig',
    999: 'neunhundertneunundneunzig',
  },
  it: {
    0: 'zero',
    1: 'uno',
    3: 'tre',
    16: 'sedici',
    17: 'diciassette',
    21: 'ventuno',
    22: 'ventidue',
    23: 'ventitré',
    28: 'ventotto',
    30: 'trenta',
    71: 'settantuno',
    80: 'ottanta',
    81: 'ottantuno',
    88: 'ottantotto',
    91: 'novantuno',
    99: 'novantanove',
    100: 'cento',
    101: 'centouno',
    103: 'centotré',
    108: 'centootto',
    111: 'centoundici',
    118: 'centodiciotto',
    174: 'centosettantaquattro',
    180: 'centottanta',
    188: 'centottantotto',
    200: 'duecento',
    201: 'duecentouno',
    280: 'duecentottanta',
    300: 'trecento',
    303: 'trecentotré',
    999: 'novecentonovantanove',
  },
};

describe('numberToWords', () => {
  for (const lang of NUMBER_LANGUAGES) {
    it(`${lang}: edge cases`, () => {
      for (const [n, words] of Object.entries(EXPECTED[lang])) {
        assert.equal(numberToWords(Number(n), lang), words, `${lang} ${n}`);
      }
    });

    it(`${lang}: all 1000 values are distinct, non-empty, trimmed`, () => {
      const seen = new Set<string>();
      for (let n = 0; n <= 999; n++) {
        const words = numberToWords(n, lang);
        assert.ok(words.length > 0, `${lang} ${n} empty`);
        assert.equal(words, words.trim(), `${lang} ${n} has outer whitespace`);
        assert.ok(!/\s{2}|[\t\n]|->|[=:]/.test(words), `${lang} ${n} has a format-breaking character: ${words}`);
        seen.add(words);
      }
      assert.equal(seen.size, 1000);
    });

    it(`${lang}: numberFromWords round-trips every value`, () => {
      for (let n = 0; n <= 999; n++) {
        assert.equal(numberFromWords(numberToWords(n, lang), lang), n, `${lang} ${n}`);
      }
    });
  }

  it('English hundreds always use "and" before a non-zero remainder', () => {
    for (let n = 101; n <= 999; n++) {
      const words = numberToWords(n, 'en');
      assert.equal(words.includes(' and '), n % 100 !== 0, words);
    }
  });

  it('German is a single lower-case word', () => {
    for (let n = 0; n <= 999; n++) {
      const words = numberToWords(n, 'de');
      assert.match(words, /^[a-zäöüß]+$/u, words);
    }
  });

  it('Italian is a single lower-case word', () => {
    for (let n = 0; n <= 999; n++) {
      assert.match(numberToWords(n, 'it'), /^[a-zé]+$/u);
    }
  });

  it('Spanish never uses the apocopated "un"/"veintiún"', () => {
    for (let n = 0; n <= 999; n++) {
      const words = numberToWords(n, 'es');
      assert.ok(!/\bun\b|veintiún/u.test(words), words);
    }
  });

  it('throws RangeError outside 0–999 and for non-integers', () => {
    for (const bad of [-1, 1000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => numberToWords(bad, 'en'), RangeError, String(bad));
    }
  });
});

describe('numberFromWords', () => {
  it('maps known spellings back to numbers', () => {
    assert.equal(numberFromWords('quatre-vingt-un', 'fr'), 81);
    assert.equal(numberFromWords('ciento veintidós', 'es'), 122);
    assert.equal(numberFromWords('fifty-eight', 'en'), 58);
    assert.equal(numberFromWords('einhunderteins', 'de'), 101);
    assert.equal(numberFromWords('centottanta', 'it'), 180);
  });

  it('returns undefined for unknown text, wrong language or non-exact spelling', () => {
    assert.equal(numberFromWords('eighty-one', 'fr'), undefined);
    assert.equal(numberFromWords('Eighty-one', 'en'), undefined);
    assert.equal(numberFromWords(' eighty-one', 'en'), undefined);
    assert.equal(numberFromWords('one thousand', 'en'), undefined);
    assert.equal(numberFromWords('', 'de'), undefined);
  });
});
