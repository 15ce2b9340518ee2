import type { Diagnostic } from '../diagnostics';
import { mixtureCounts } from '../estimate/metrics';
import { buildPrompt, type Example, type PromptMix, type Separator } from '../mix/types';
import { seededRng, shuffle } from '../random';
import { getTask, sampleInput } from './builtin';
import type { TaskDefinition } from './types';

export interface GenerateMixOptions {
  tasks: readonly string[];
  /** Examples per task (default 20), or… */
  perTask?: number;
  /** …mixture proportions (any positive scale) over `total` examples (default 20 × tasks). */
  proportions?: readonly number[];
  total?: number;
  seed: number;
}

export interface GeneratedMix {
  mix?: PromptMix;
  /** The prompt as a text file would hold it (the raw prompt plus a final newline). */
  text?: string;
  /** Examples per task, in task order. */
  counts?: number[];
  /** Each task's answer for the query. */
  answers?: string[];
  diagnostics: Diagnostic[];
}

const MAX_ATTEMPTS = 10_000;

function fail(message: string): GeneratedMix {
  return { diagnostics: [{ severity: 'error', code: 'generate', message, line: 1, column: 1 }] };
}

/**
 * Builds a mix the paper's way: examples of each task at uniformly random positions, fresh inputs
 * for every example, a query whose input does not occur in the examples' text, and task answers
 * that are distinct for the query (and, when possible, not prefixes of one another).
 */
export function generateMix(options: GenerateMixOptions): GeneratedMix {
  if (options.tasks.length === 0) return fail('Give at least one task id.');
  const defs: TaskDefinition[] = [];
  for (const id of options.tasks) {
    const def = getTask(id);
    if (!def) return fail(`Unknown task '${id}'.`);
    if (defs.some((d) => d.id === id)) return fail(`Task '${id}' is listed twice.`);
    defs.push(def);
  }
  const family = defs[0]!.family;
  const other = defs.find((d) => d.family !== family);
  if (other) return fail(`Tasks must share one input format: '${defs[0]!.id}' reads ${family} inputs but '${other.id}' reads ${other.family} inputs.`);

  let counts: number[];
  if (options.proportions) {
    if (options.proportions.length !== defs.length) return fail(`Give one proportion per task (${defs.length}), not ${options.proportions.length}.`);
    if (options.proportions.some((p) => !Number.isFinite(p) || p < 0)) return fail('Proportions must be non-negative numbers.');
    const sum = options.proportions.reduce((a, b) => a + b, 0);
    if (sum <= 0) return fail('At least one proportion must be positive.');
    const total = options.total ?? 20 * defs.length;
    counts = mixtureCounts(options.proportions.map((p) => p / sum), total);
  } else {
    const perTask = options.perTask ?? 20;
    if (!Number.isInteger(perTask) || perTask < 0) return fail('Examples per task must be a non-negative integer.');
    counts = defs.map(() => perTask);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total < 2) return fail('A mix needs at least 2 examples.');
  if (total > 5000) return fail('At most 5000 examples per mix.');

  const ab = defs.some((d) => d.id.startsWith('ab.'));
  const joiner: '+' | '@' = ab ? '@' : '+';
  const separator: Separator = family === 'numbers' && ab ? '=' : '->';
  const rng = seededRng(options.seed);

  const slots = shuffle(rng, counts.flatMap((count, task) => Array.from({ length: count }, () => task)));
  const usedInputs = new Set<string>();
  const usedLines = new Set<string>();
  const examples: Example[] = [];
  for (const task of slots) {
    const def = defs[task]!;
    let example: Example | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !example; attempt++) {
      const input = sampleInput(family, rng, joiner);
      // Countries are not reused (as in the paper); numbers and words may repeat.
      if (family === 'country' && usedInputs.has(input) && attempt < MAX_ATTEMPTS / 2) continue;
      const output = def.apply(input);
      // An example another task of the mix would also explain (e.g. 44@44=44) blurs the shares.
      if (output === undefined || defs.some((d) => d !== def && d.apply(input) === output)) continue;
      // Inputs may repeat across tasks (as in the paper), whole example lines do not.
      if (usedLines.has(`${input}\u0000${output}`) && attempt < MAX_ATTEMPTS / 2) continue;
      example = { input, output, line: examples.length + 1, task: def.id };
    }
    if (!example) return fail(`Could not draw an input for task '${def.id}'.`);
    usedInputs.add(example.input);
    usedLines.add(`${example.input}\u0000${example.output}`);
    examples.push(example);
  }

  const exampleText = examples.map((e) => `${e.input}${separator}${e.output}`).join('\n');
  let query: { input: string; answers: string[] } | undefined;
  let fallback: { input: string; answers: string[] } | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && !query; attempt++) {
    const input = sampleInput(family, rng, joiner);
    if (exampleText.includes(input) || usedInputs.has(input)) continue;
    const answers = defs.map((d) => d.apply(input));
    if (answers.some((a) => a === undefined)) continue;
    const defined = answers as string[];
    if (new Set(defined).size !== defined.length) continue;
    const prefixFree = defined.every((a, i) => defined.every((b, j) => i === j || !b.startsWith(a)));
    if (prefixFree) query = { input, answers: defined };
    else fallback ??= { input, answers: defined };
  }
  query ??= fallback;
  if (!query) return fail('Could not draw a query whose task answers are distinct; try another seed or fewer tasks.');

  const prompt = buildPrompt(examples, query.input, separator);
  const mix: PromptMix = {
    separator,
    examples: examples.map((e) => ({ ...e })),
    query: query.input,
    queryLine: examples.length + 1,
    tasks: defs.map((d) => d.id),
    prompt,
  };
  return { mix, text: `${prompt}\n`, counts, answers: query.answers, diagnostics: [] };
}
