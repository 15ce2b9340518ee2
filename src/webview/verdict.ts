/**
 * What a run's numbers say, in words: the one-sentence verdict at the top of the panel, why an
 * interval is wide, and the help text of every metric (what it means, what good looks like).
 * Pure functions (no DOM), tested under node.
 */
import type { RunRecord, TaskResult } from '../core/record';
import { formatPercent } from './format';

/** A task "carries" the answer when its answer gets at least this much probability. */
export const CARRIED = 0.05;
/** An interval wider than this gets a sentence saying why. */
export const WIDE_INTERVAL = 0.05;

type VerdictRecord = Pick<RunRecord, 'status' | 'tasks' | 'other' | 'method' | 'metrics'>;

function pct(p: number): string {
  return formatPercent(Math.max(0, Math.min(1, p)));
}

function shareText(t: Pick<TaskResult, 'share'>, equalShares: boolean): string {
  return equalShares ? `each task has ${pct(t.share)} of the examples` : `it has ${pct(t.share)} of the examples`;
}

function leader(tasks: readonly TaskResult[]): TaskResult {
  return tasks.reduce((best, t) => (t.probability > best.probability ? t : best));
}

/** The verdict sentence; undefined when there is nothing measured to speak of. */
export function runVerdict(record: VerdictRecord, running = false): string | undefined {
  const tasks = record.tasks;
  if (tasks.length === 0) return undefined;
  if (record.status === 'failed' && tasks.every((t) => t.upper === 0 && t.lower === 0)) return undefined;
  const prefix = running ? 'So far: ' : record.status === 'complete' ? '' : 'Partial result: ';
  const other = record.other.probability;
  const mass = tasks.reduce((a, t) => a + t.probability, 0);
  const otherText = `${pct(other)} goes to other answers`;
  if (tasks.reduce((a, t) => a + t.upper, 0) < 0.02) {
    return `${prefix}Almost nothing on any task's answer: ${otherText} (see Top completions for what the model writes instead).`;
  }
  const lead = leader(tasks);
  const equalShares = tasks.every((t) => Math.abs(t.share - tasks[0]!.share) < 1e-9);
  if (tasks.length === 1) return `${prefix}${lead.label} gets ${pct(lead.probability)}; ${otherText}.`;
  const carried = tasks.filter((t) => t.probability >= CARRIED);
  // "although" when the leader's part of the task mass is off its share of the examples by over a quarter.
  const ratio = mass > 0 && lead.share > 0 ? lead.probability / mass / lead.share : 1;
  const leanText = ratio > 1.25 || ratio < 0.8 ? ' although ' : ' and ';
  if (carried.length >= 2) {
    return `${prefix}Spread over ${carried.length} of ${tasks.length} tasks: ${lead.label} gets ${pct(lead.probability)}${leanText}${shareText(lead, equalShares)}; ${otherText}.`;
  }
  if (carried.length === 1) {
    const rest = mass - lead.probability;
    return `${prefix}Collapsed onto one task: ${lead.label} gets ${pct(lead.probability)} (${pct(lead.share)} of the examples), ${tasks.length === 2 ? 'the other task gets' : `the other ${tasks.length - 1} get`} ${pct(rest)}${tasks.length === 2 ? '' : ' together'}; ${otherText}.`;
  }
  return `${prefix}No task reaches ${pct(CARRIED)}: the tasks get ${pct(mass)} together; ${otherText}.`;
}

/** Why the widest interval is wide (logprobs), or how many samples a CI rests on (sampling). */
export function intervalNote(record: Pick<RunRecord, 'tasks' | 'method' | 'options'>): string | undefined {
  if (record.method === 'sampling') {
    const widest = record.tasks.reduce<TaskResult | undefined>((w, t) => (t.ci95 && (!w?.ci95 || t.ci95[1] - t.ci95[0] > w.ci95[1] - w.ci95[0]) ? t : w), undefined);
    if (!widest?.ci95 || widest.ci95[1] - widest.ci95[0] < WIDE_INTERVAL) return undefined;
    return `Frequencies come from ${record.options.samples} samples, so their 95% intervals are about ±${pct((widest.ci95[1] - widest.ci95[0]) / 2)}: more samples (superposition.samples) narrow them; the logprobs method gives bounds with far fewer requests.`;
  }
  const widest = record.tasks.reduce<TaskResult | undefined>((w, t) => (!w || t.upper - t.lower > w.upper - w.lower ? t : w), undefined);
  if (!widest || widest.upper - widest.lower < WIDE_INTERVAL) return undefined;
  return (
    `${widest.label}'s interval is ${pct(widest.upper - widest.lower)} wide: Ollama shows only the 20 most probable next tokens, ` +
    'so probability on rarer tokens, on pieces of characters the tokenizer splits, or on paths too unlikely to follow ' +
    'can only be bounded. The true value lies inside; the lower end is what was measured for certain.'
  );
}

export interface MetricHelp {
  means: string;
  good: string;
}

/** Help shown beside each metric: what it means and what good looks like. */
export const METRIC_HELP: Readonly<Record<'kl' | 'klNormalized' | 'r' | 'entropy' | 'taskMass', MetricHelp>> = {
  kl: {
    means: 'How far the answer probabilities are from the tasks\' shares of the examples (KL divergence, as in the paper). Probability on other answers counts against it.',
    good: '0 means the model answers each task exactly as often as the examples show it; larger means it over- or under-weights tasks, or answers something else. ∞ when a task gets 0.',
  },
  klNormalized: {
    means: 'The same divergence after rescaling the task probabilities to sum to 1, so other answers do not count.',
    good: 'Near 0: the model splits its task answers in the examples\' proportions (calibrated). Compare with KL (paper) to see how much is lost to other answers.',
  },
  r: {
    means: 'How many tasks have their answer among the K most probable completions (K = number of tasks; the paper\'s measure of superposition).',
    good: 'r = K: every task is among the top answers at once (full superposition); r = 1: the model commits to one task.',
  },
  entropy: {
    means: 'How spread the probability is over the task answers and "other", in nats.',
    good: '0 when one answer takes everything; ln(K + 1) when the tasks and other are equally likely. Higher means more spread, not better or worse.',
  },
  taskMass: {
    means: 'The total probability on the tasks\' answers; the rest goes to other answers.',
    good: 'Close to 100%: the model answers with one of the tasks. Low: it writes something else (see Top completions).',
  },
};

/** Entropy as shown: not "0.000" when all the mass is on other answers (nothing to spread). */
export function entropyText(metrics: Pick<RunRecord['metrics'], 'entropy' | 'taskMass'>): string {
  if (metrics.taskMass < 1e-3) return '— (all on other answers)';
  return `${metrics.entropy.toFixed(3)} nats`;
}

/** The completions table's caption: what its probabilities are, against the answer probabilities. */
export function completionsCaption(record: Pick<RunRecord, 'method' | 'completions' | 'options'>): string {
  if (record.method === 'sampling') return `The ${record.completions.length} most frequent lines among the samples, with their frequencies.`;
  const answers = record.options.terminated
    ? 'the answer probabilities above are terminated too (the answer, then the end of the line)'
    : 'the answer probabilities above count any line that starts with the answer, so they can be larger';
  return `The ${record.completions.length} most probable whole lines: each probability is that the model writes exactly this line and ends it; ${answers}.`;
}
