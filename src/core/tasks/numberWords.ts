/**
 * Cardinal numbers 0–999 written out in words, in five languages.
 *
 * Written from scratch from each language's spelling rules (the paper's lookup
 * tables `util/{en,fr,es}_dict.pt` and, for Italian, `num2words` are the
 * references the expected forms were checked against; see
 * /work/shared/reference/paper-method.md §2–§3).
 *
 * - en: British English, hyphenated tens-units and "and" after the hundreds
 *   (`one hundred and seventy-four`).
 * - fr: traditional spelling (not the 1990 all-hyphen reform): `vingt et un`,
 *   `soixante et onze`, `quatre-vingts`, `quatre-vingt-un`, `deux cents`,
 *   `deux cent un`, `cent un` (no "et" after cent).
 * - es: `veintiuno` … `veintinueve` as one word, `treinta y uno`, `cien` /
 *   `ciento …`, irregular hundreds (`quinientos`, `setecientos`,
 *   `novecientos`). The full form `uno` is used everywhere (never the
 *   apocopated `un`/`veintiún`), as in the paper's tables.
 * - de: one lower-case word, units before tens (`einundzwanzig`), `eins` when
 *   the number ends in a bare 1 (`einhunderteins`), hundreds always with their
 *   multiplier (`einhundert`).
 * - it: one word as num2words writes it. Elision rule followed here:
 *   1. a tens word (`venti` … `novanta`) drops its final vowel before `uno`
 *      and `otto` (`ventuno`, `ventotto`, `settantuno`, `novantotto`);
 *   2. `cento` keeps its final `o` before a units/teens word (`centouno`,
 *      `centootto`, `centodiciotto`) and drops it only before `ottanta`
 *      (`centottanta`, `duecentottantotto`);
 *   3. a compound ending in `tre` takes the accent (`ventitré`, `centotré`),
 *      while `tre` alone and `tre…` prefixes (`trecento`) do not.
 *   This differs from num2words' string-replace contraction for 108 (num2words
 *   prints `centotto`) and for 118/218/… (num2words prints the misspelling
 *   `centodicotto`); everything else matches.
 */

export type NumberLanguage = 'en' | 'fr' | 'es' | 'de' | 'it';

export const NUMBER_LANGUAGES: readonly NumberLanguage[] = ['en', 'fr', 'es', 'de', 'it'];

export const MIN_NUMBER_WORDS = 0;
export const MAX_NUMBER_WORDS = 999;

function at(table: readonly string[], index: number): string {
  const word = table[index];
  if (word === undefined) {
    throw new RangeError(`no word at index ${index}`);
  }
  return word;
}

// ---------------------------------------------------------------- English

const EN_0_19 = [
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen',
  'seventeen', 'eighteen', 'nineteen',
] as const;
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;

function enBelow100(n: number): string {
  if (n < 20) return at(EN_0_19, n);
  const tens = at(EN_TENS, Math.floor(n / 10));
  const units = n % 10;
  return units === 0 ? tens : `${tens}-${at(EN_0_19, units)}`;
}

function en(n: number): string {
  if (n < 100) return enBelow100(n);
  const head = `${at(EN_0_19, Math.floor(n / 100))} hundred`;
  const rest = n % 100;
  return rest === 0 ? head : `${head} and ${enBelow100(rest)}`;
}

// ----------------------------------------------------------------- French

const FR_0_16 = [
  'zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf',
  'dix', 'onze', 'douze', 'treize', 'quatorze', 'quinze', 'seize',
] as const;
/** Tens 20–60, which combine directly with units 1–9. */
const FR_TENS = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante'] as const;

/** 0–19. */
function frBelow20(n: number): string {
  if (n <= 16) return at(FR_0_16, n);
  return `dix-${at(FR_0_16, n - 10)}`;
}

function frBelow100(n: number): string {
  if (n < 20) return frBelow20(n);
  if (n < 70) {
    const tens = at(FR_TENS, Math.floor(n / 10));
    const units = n % 10;
    if (units === 0) return tens;
    if (units === 1) return `${tens} et un`;
    return `${tens}-${frBelow20(units)}`;
  }
  if (n < 80) {
    // soixante-dix … soixante-dix-neuf, with "et" only for 71.
    const rest = n - 60;
    return rest === 11 ? 'soixante et onze' : `soixante-${frBelow20(rest)}`;
  }
  // 80–99: quatre-vingts takes its plural s only when nothing follows.
  const rest = n - 80;
  return rest === 0 ? 'quatre-vingts' : `quatre-vingt-${frBelow20(rest)}`;
}

function fr(n: number): string {
  if (n < 100) return frBelow100(n);
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  const head = hundreds === 1 ? 'cent' : `${at(FR_0_16, hundreds)} cent`;
  if (rest === 0) return hundreds === 1 ? head : `${head}s`;
  return `${head} ${frBelow100(rest)}`;
}

// ---------------------------------------------------------------- Spanish

const ES_0_29 = [
  'cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve',
  'diez', 'once', 'doce', 'trece', 'catorce', 'quince', 'dieciséis', 'diecisiete',
  'dieciocho', 'diecinueve', 'veinte', 'veintiuno', 'veintidós', 'veintitrés',
  'veinticuatro', 'veinticinco', 'veintiséis', 'veintisiete', 'veintiocho', 'veintinueve',
] as const;
const ES_TENS = ['', '', '', 'treinta', 'cuarenta', 'cincuenta', 'sesenta', 'setenta', 'ochenta', 'noventa'] as const;
const ES_HUNDREDS = [
  '', 'ciento', 'doscientos', 'trescientos', 'cuatrocientos', 'quinientos',
  'seiscientos', 'setecientos', 'ochocientos', 'novecientos',
] as const;

function esBelow100(n: number): string {
  if (n < 30) return at(ES_0_29, n);
  const tens = at(ES_TENS, Math.floor(n / 10));
  const units = n % 10;
  return units === 0 ? tens : `${tens} y ${at(ES_0_29, units)}`;
}

function es(n: number): string {
  if (n < 100) return esBelow100(n);
  if (n === 100) return 'cien';
  const head = at(ES_HUNDREDS, Math.floor(n / 100));
  const rest = n % 100;
  return rest === 0 ? head : `${head} ${esBelow100(rest)}`;
}

// ----------------------------------------------------------------- German

const DE_0_19 = [
  'null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun',
  'zehn', 'elf', 'zwölf', 'dreizehn', 'vierzehn', 'fünfzehn', 'sechzehn', 'siebzehn',
  'achtzehn', 'neunzehn',
] as const;
const DE_TENS = ['', '', 'zwanzig', 'dreißig', 'vierzig', 'fünfzig', 'sechzig', 'siebzig', 'achtzig', 'neunzig'] as const;
/** Multiplier/prefix forms: `ein` instead of `eins` inside a compound. */
const DE_PREFIX = ['', 'ein', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'] as const;

function deBelow100(n: number): string {
  if (n < 20) return at(DE_0_19, n);
  const tens = at(DE_TENS, Math.floor(n / 10));
  const units = n % 10;
  return units === 0 ? tens : `${at(DE_PREFIX, units)}und${tens}`;
}

function de(n: number): string {
  if (n < 100) return deBelow100(n);
  const head = `${at(DE_PREFIX, Math.floor(n / 100))}hundert`;
  const rest = n % 100;
  return rest === 0 ? head : `${head}${deBelow100(rest)}`;
}

// ---------------------------------------------------------------- Italian

const IT_0_19 = [
  'zero', 'uno', 'due', 'tre', 'quattro', 'cinque', 'sei', 'sette', 'otto', 'nove',
  'dieci', 'undici', 'dodici', 'tredici', 'quattordici', 'quindici', 'sedici',
  'diciassette', 'diciotto', 'diciannove',
] as const;
const IT_TENS = ['', '', 'venti', 'trenta', 'quaranta', 'cinquanta', 'sessanta', 'settanta', 'ottanta', 'novanta'] as const;

/** 0–99 without the final accent on `tre` (added once, on the whole word). */
function itBelow100Plain(n: number): string {
  if (n < 20) return at(IT_0_19, n);
  const tens = at(IT_TENS, Math.floor(n / 10));
  const units = n % 10;
  if (units === 0) return tens;
  // Rule 1: the tens word drops its final vowel before a vowel-initial unit.
  const stem = units === 1 || units === 8 ? tens.slice(0, -1) : tens;
  return `${stem}${at(IT_0_19, units)}`;
}

function itPlain(n: number): string {
  if (n < 100) return itBelow100Plain(n);
  const hundreds = Math.floor(n / 100);
  const head = hundreds === 1 ? 'cento' : `${at(IT_0_19, hundreds)}cento`;
  const rest = n % 100;
  if (rest === 0) return head;
  // Rule 2: `cento` elides its final o only before `ottanta`.
  const stem = rest >= 80 && rest <= 89 ? head.slice(0, -1) : head;
  return `${stem}${itBelow100Plain(rest)}`;
}

function it(n: number): string {
  const plain = itPlain(n);
  // Rule 3: a compound (longer than `tre` itself) ending in `tre` is accented.
  return plain.length > 3 && plain.endsWith('tre') ? `${plain.slice(0, -3)}tré` : plain;
}

// ------------------------------------------------------------------ API

const WRITERS: Record<NumberLanguage, (n: number) => string> = { en, fr, es, de, it };

/** Writes an integer 0–999 in words; throws RangeError for anything else. */
export function numberToWords(n: number, lang: NumberLanguage): string {
  if (!Number.isInteger(n) || n < MIN_NUMBER_WORDS || n > MAX_NUMBER_WORDS) {
    throw new RangeError(`numberToWords: ${n} is not an integer in ${MIN_NUMBER_WORDS}–${MAX_NUMBER_WORDS}`);
  }
  return WRITERS[lang](n);
}

const reverseMaps = new Map<NumberLanguage, ReadonlyMap<string, number>>();

function reverseMap(lang: NumberLanguage): ReadonlyMap<string, number> {
  let map = reverseMaps.get(lang);
  if (map === undefined) {
    const built = new Map<string, number>();
    for (let n = MIN_NUMBER_WORDS; n <= MAX_NUMBER_WORDS; n++) {
      built.set(numberToWords(n, lang), n);
    }
    map = built;
    reverseMaps.set(lang, map);
  }
  return map;
}

/**
 * The number 0–999 whose spelling in `lang` is exactly `text` (case, accents,
 * hyphens and spaces must match what numberToWords writes), else undefined.
 * The lookup table is built once per language, on first use.
 */
export function numberFromWords(text: string, lang: NumberLanguage): number | undefined {
  return reverseMap(lang).get(text);
}
