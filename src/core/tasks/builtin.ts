/**
 * Built-in task registry: the paper's task sets (paper-method.md §2) plus a few
 * extra tasks from the authors' code (§3): sums in German and Italian words and
 * the country's ISO currency.
 *
 * Input domains (apply returns undefined outside them):
 * - numbers: `A+B` or `A@B`, A and B of 1–3 ASCII digits (leading zeros
 *   allowed, no sign, no spaces) with A + B ≤ 999. The sum limit applies to
 *   every numbers task, the copy tasks included, so all tasks of one mix share
 *   one domain. The AB copy tasks accept only the `@` joiner.
 * - country: an exact `COUNTRIES` name (case-sensitive).
 * - word: one word of ASCII letters [A-Za-z], length ≥ 2.
 */

import { COUNTRIES, findCountry } from './countries';
import { numberToWords, type NumberLanguage } from './numberWords';
import type { InputFamily, NumberPair, Rng, TaskDefinition } from './types';
import { WORDS } from './words';

// ------------------------------------------------------------ input helpers

export type NumberJoiner = '+' | '@';

export interface ParsedNumberInput extends NumberPair {
  joiner: NumberJoiner;
  /** The operands exactly as written (may keep leading zeros). */
  aText: string;
  bText: string;
}

export const MAX_NUMBER_SUM = 999;

const NUMBER_INPUT = /^(\d{1,3})([+@])(\d{1,3})$/;
const WORD_INPUT = /^[A-Za-z]{2,}$/;

/** Parses `A+B` / `A@B` within the numbers domain (sum ≤ 999), else undefined. */
export function parseNumberInput(input: string): ParsedNumberInput | undefined {
  const match = NUMBER_INPUT.exec(input);
  if (match === null) return undefined;
  const [, aText, joiner, bText] = match;
  if (aText === undefined || bText === undefined || (joiner !== '+' && joiner !== '@')) return undefined;
  const a = Number(aText);
  const b = Number(bText);
  if (a + b > MAX_NUMBER_SUM) return undefined;
  return { a, b, joiner, aText, bText };
}

export function isWordInput(input: string): boolean {
  return WORD_INPUT.test(input);
}

export function isCountryInput(input: string): boolean {
  return findCountry(input) !== undefined;
}

// -------------------------------------------------------------------- tasks

function sumTask(id: string, label: string, write: (sum: number) => string): TaskDefinition {
  return {
    id,
    label,
    family: 'numbers',
    apply(input) {
      const parsed = parseNumberInput(input);
      return parsed === undefined ? undefined : write(parsed.a + parsed.b);
    },
  };
}

function sumInWords(lang: NumberLanguage, language: string): TaskDefinition {
  return sumTask(`sum.${lang}`, `A+B in ${language} words`, (sum) => numberToWords(sum, lang));
}

function copyTask(id: string, label: string, pick: (parsed: ParsedNumberInput) => string): TaskDefinition {
  return {
    id,
    label,
    family: 'numbers',
    apply(input) {
      const parsed = parseNumberInput(input);
      return parsed === undefined || parsed.joiner !== '@' ? undefined : pick(parsed);
    },
  };
}

function countryTask(id: string, label: string, read: (name: string) => string | undefined): TaskDefinition {
  return { id, label, family: 'country', apply: read };
}

function letterTask(id: string, label: string, pick: (word: string) => string | undefined): TaskDefinition {
  return {
    id,
    label,
    family: 'word',
    apply(input) {
      return isWordInput(input) ? pick(input) : undefined;
    },
  };
}

export const BUILTIN_TASKS: readonly TaskDefinition[] = Object.freeze([
  sumTask('sum.digits', 'A+B as digits', (sum) => String(sum)),
  sumInWords('en', 'English'),
  sumInWords('fr', 'French'),
  sumInWords('es', 'Spanish'),
  sumInWords('de', 'German'),
  sumInWords('it', 'Italian'),
  copyTask('ab.copy1', 'Copy first operand (A of A@B)', (p) => p.aText),
  copyTask('ab.copy2', 'Copy second operand (B of A@B)', (p) => p.bText),
  countryTask('country.capital', 'Capital of country', (name) => findCountry(name)?.capital),
  countryTask('country.continent', 'Continent of country', (name) => findCountry(name)?.continent),
  countryTask('country.upper', 'Country name in upper case', (name) =>
    findCountry(name) === undefined ? undefined : name.toUpperCase(),
  ),
  countryTask('country.currency', 'Currency of country (ISO 4217 code)', (name) => findCountry(name)?.currency),
  letterTask('word.first_lower', 'First letter, lower case', (w) => w.at(0)?.toLowerCase()),
  letterTask('word.last_lower', 'Last letter, lower case', (w) => w.at(-1)?.toLowerCase()),
  letterTask('word.first_upper', 'First letter, upper case', (w) => w.at(0)?.toUpperCase()),
  letterTask('word.last_upper', 'Last letter, upper case', (w) => w.at(-1)?.toUpperCase()),
]);

const BY_ID: ReadonlyMap<string, TaskDefinition> = new Map(BUILTIN_TASKS.map((task) => [task.id, task]));

export function getTask(id: string): TaskDefinition | undefined {
  return BY_ID.get(id);
}

export type TaskSetId = 'add-translate' | 'country' | 'ab' | 'word';

/** The paper's four main task sets (Figure 2), tasks in the paper's order. */
export const TASK_SETS: Readonly<Record<TaskSetId, readonly string[]>> = Object.freeze({
  'add-translate': Object.freeze(['sum.digits', 'sum.en', 'sum.fr', 'sum.es']),
  country: Object.freeze(['country.capital', 'country.continent', 'country.upper']),
  ab: Object.freeze(['ab.copy1', 'ab.copy2', 'sum.digits']),
  word: Object.freeze(['word.first_lower', 'word.last_lower', 'word.first_upper', 'word.last_upper']),
});

// ----------------------------------------------------------- input sampling

/** The families the built-in samplers can draw inputs for. */
export type BuiltinFamily = Exclude<InputFamily, 'custom'>;

export interface InputSampler {
  family: InputFamily;
  /** Draws one input; `joiner` only matters for the numbers family. */
  sample(rng: Rng, joiner: NumberJoiner): string;
}

/** Paper's operand range: uniform integers in [10, 99], both ends included. */
export const OPERAND_MIN = 10;
export const OPERAND_MAX = 99;

/** Uniform integer in [min, max]; robust to an rng that returns exactly 1. */
function randomInt(rng: Rng, min: number, max: number): number {
  const span = max - min + 1;
  return min + Math.min(span - 1, Math.floor(rng() * span));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[randomInt(rng, 0, items.length - 1)];
  if (item === undefined) throw new RangeError('cannot sample from an empty list');
  return item;
}

export const INPUT_SAMPLERS: Readonly<Record<BuiltinFamily, InputSampler>> = Object.freeze({
  numbers: {
    family: 'numbers',
    sample: (rng: Rng, joiner: NumberJoiner) =>
      `${randomInt(rng, OPERAND_MIN, OPERAND_MAX)}${joiner}${randomInt(rng, OPERAND_MIN, OPERAND_MAX)}`,
  },
  country: { family: 'country', sample: (rng: Rng) => pick(rng, COUNTRIES).name },
  word: { family: 'word', sample: (rng: Rng) => pick(rng, WORDS) },
});

/**
 * Draws one input for a built-in family: numbers → `A{joiner}B` with A, B
 * uniform in [10, 99] (A drawn first); country → a random COUNTRIES name;
 * word → a random WORDS entry. Throws for `custom`, which has no sampler
 * (its inputs come from the user's table).
 */
export function sampleInput(family: InputFamily, rng: Rng, joiner: NumberJoiner = '+'): string {
  if (family === 'custom') {
    throw new Error("sampleInput: the 'custom' family has no built-in input sampler");
  }
  return INPUT_SAMPLERS[family].sample(rng, joiner);
}

/** The sampler for a family, or undefined for `custom` (user-supplied inputs). */
export function getInputSampler(family: InputFamily): InputSampler | undefined {
  return family === 'custom' ? undefined : INPUT_SAMPLERS[family];
}
