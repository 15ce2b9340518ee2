/** The input family a task reads; tasks of one mix must share it. */
export type InputFamily = 'numbers' | 'country' | 'word' | 'custom';

/** Operand pair for the numeric tasks; joiner is `+` (add-translate) or `@` (AB). */
export interface NumberPair {
  a: number;
  b: number;
}

export interface TaskDefinition {
  /** Stable id, e.g. `sum.en`, `country.capital`, `word.first_lower`. */
  id: string;
  label: string;
  family: InputFamily;
  /** The output for an input string, or undefined when the input is outside the task's domain. */
  apply(input: string): string | undefined;
}

/** Random number generator returning floats in [0, 1). */
export type Rng = () => number;
