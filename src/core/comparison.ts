/**
 * Two runs of one analysis as Before / After: ordered by time, what differs between them in
 * words, and the comparison as CSV / JSON (Δ = after − before). No vscode, no DOM.
 */
import { csvCell } from './exportFormats';
import type { RunRecord } from './record';

export interface BeforeAfter {
  before: RunRecord;
  after: RunRecord;
}

/** The older run first (by createdAt; ties keep the given order). */
export function orderBeforeAfter(a: RunRecord, b: RunRecord): BeforeAfter {
  return Date.parse(b.createdAt) < Date.parse(a.createdAt) ? { before: b, after: a } : { before: a, after: b };
}

function apart(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min`;
  const hours = Math.round(min / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** What differs, in a user's words: "examples 12 → 10", "model a → b", "query", "3 min later". */
export function comparisonDifferences({ before, after }: BeforeAfter): string[] {
  const out: string[] = [];
  if (before.input.prompt !== after.input.prompt) {
    const n = (r: RunRecord) => r.input.examples.length;
    if (n(before) !== n(after)) out.push(`examples ${n(before)} → ${n(after)}`);
    else if (before.input.query === after.input.query) out.push('examples edited');
    if (before.input.query !== after.input.query) out.push(`query ${before.input.query} → ${after.input.query}`);
    if (before.input.separator !== after.input.separator) out.push(`separator ${JSON.stringify(before.input.separator)} → ${JSON.stringify(after.input.separator)}`);
  }
  if (before.model !== after.model) out.push(`model ${before.model} → ${after.model}`);
  else if (before.modelDigest !== after.modelDigest) out.push('model updated (another digest)');
  if (before.method !== after.method) out.push(`method ${before.method} → ${after.method}`);
  if (before.server.version !== after.server.version) out.push(`Ollama ${before.server.version ?? '?'} → ${after.server.version ?? '?'}`);
  out.push(`${apart(Date.parse(after.createdAt) - Date.parse(before.createdAt))} later`);
  return out;
}

interface Row {
  id: string;
  label: string;
  beforeAnswer: string;
  afterAnswer: string;
  before: number | null;
  after: number | null;
  beforeShare: number | null;
  afterShare: number | null;
}

/** Tasks aligned by id (Before's order, then tasks only After has), then "other". */
export function comparisonRows({ before, after }: BeforeAfter): Row[] {
  const ids = [...new Set([...before.tasks, ...after.tasks].map((t) => t.id))];
  const rows = ids.map((id): Row => {
    const b = before.tasks.find((t) => t.id === id);
    const a = after.tasks.find((t) => t.id === id);
    return { id, label: (b ?? a)!.label, beforeAnswer: b?.answer ?? '', afterAnswer: a?.answer ?? '', before: b?.probability ?? null, after: a?.probability ?? null, beforeShare: b?.share ?? null, afterShare: a?.share ?? null };
  });
  rows.push({ id: 'other', label: 'other', beforeAnswer: '', afterAnswer: '', before: before.other.probability, after: after.other.probability, beforeShare: null, afterShare: null });
  return rows;
}

export function delta(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : after - before;
}

export function formatComparisonCsv(pair: BeforeAfter): string {
  const header = ['task', 'label', 'answer_before', 'answer_after', 'share_before', 'share_after', 'probability_before', 'probability_after', 'delta_after_minus_before'];
  const lines = comparisonRows(pair).map((r) => [r.id, r.label, r.beforeAnswer, r.afterAnswer, r.beforeShare, r.afterShare, r.before, r.after, delta(r.before, r.after)].map(csvCell).join(','));
  const meta = [`# before,${csvCell(pair.before.id)},${csvCell(pair.before.model)},${csvCell(pair.before.createdAt)}`, `# after,${csvCell(pair.after.id)},${csvCell(pair.after.model)},${csvCell(pair.after.createdAt)}`];
  return `${[...meta, header.join(','), ...lines].join('\n')}\n`;
}

export function formatComparisonJson(pair: BeforeAfter): string {
  return `${JSON.stringify({ before: pair.before, after: pair.after, differences: comparisonDifferences(pair), rows: comparisonRows(pair).map((r) => ({ ...r, delta: delta(r.before, r.after) })) }, null, 2)}\n`;
}
