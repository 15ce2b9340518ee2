import type { RunRecord } from '../core/record';
export { formatRecordCsv } from '../core/exportFormats';

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const num = (x: number) => (Math.abs(x) < 1e-4 && x !== 0 ? x.toExponential(2) : x.toFixed(4));

export function bar(value: number, width = 20): string {
  const clamped = Math.max(0, Math.min(1, value));
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  return '█'.repeat(full) + (partial ? ' ▏▎▍▌▋▊▉'[partial]! : '');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => rows.reduce((w, r) => Math.max(w, [...(r[c] ?? '')].length), 0));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** Probability column: a single value when exact (or sampled), an interval when only bounds are known. */
export function probabilityCell(t: { probability: number; lower: number; upper: number; exact: boolean; ci95?: [number, number] }): string {
  if (t.ci95) return `${num(t.probability)} (95% CI ${num(t.ci95[0])}–${num(t.ci95[1])})`;
  if (t.exact || t.upper - t.lower < 5e-5) return num(t.probability);
  return `[${num(t.lower)}, ${num(t.upper)}]`;
}

/** A run that stopped before any number was known: every interval is still [0, 1]. */
export function nothingMeasured(record: Pick<RunRecord, 'status' | 'tasks'>): boolean {
  return record.status !== 'complete' && record.tasks.every((t) => t.lower === 0 && t.upper >= 1 - 1e-9 && (!t.ci95 || t.ci95[1] - t.ci95[0] >= 1 - 1e-9));
}

export function formatRecordTable(record: RunRecord): string {
  const lines: string[] = [];
  const digest = record.modelDigest ? ` (${record.modelDigest.replace(/^sha256:/, '').slice(0, 12)})` : '';
  lines.push(`Model ${record.model}${digest} · Ollama ${record.server.version ?? '?'} at ${record.server.host} · ${record.method}${record.options.terminated ? ' (terminated)' : ''} · ${record.requests} requests · ${(record.durationMs / 1000).toFixed(1)} s`);
  lines.push(`Query: ${record.input.query}${record.input.separator}   (${record.input.examples.length} examples)`);
  if (nothingMeasured(record)) {
    lines.push(`Status: ${record.status.toUpperCase()} before any measurement: no numbers to show.`);
    return lines.join('\n');
  }
  if (record.status !== 'complete') lines.push(`Status: ${record.status.toUpperCase()}${record.error ? ` — ${record.error.message}` : ''} (partial results below)`);
  lines.push('');
  const rows: string[][] = [['task', 'answer', 'share', 'probability', '']];
  for (const t of record.tasks) rows.push([t.id, JSON.stringify(t.answer), pct(t.share), probabilityCell(t), bar(t.probability)]);
  const other = record.other;
  rows.push(['other', '', '', other.upper - other.lower < 5e-5 ? num(other.probability) : `[${num(Math.max(0, other.lower))}, ${num(other.upper)}]`, bar(other.probability)]);
  lines.push(table(rows));
  lines.push('');
  const m = record.metrics;
  const kl = (v: number | null) => (v === null ? '∞ (an answer has probability 0)' : v.toFixed(4));
  lines.push(`KL(shares ‖ p) ${kl(m.kl)} · normalised ${kl(m.klNormalized)} · r ${m.r ?? '–'}/${m.K} · entropy ${m.entropy.toFixed(3)} nats · task mass ${m.taskMass.toFixed(4)}`);
  if (record.completions.length > 0) {
    lines.push('');
    lines.push('Top completions:');
    for (const c of record.completions) lines.push(`  ${num(c.probability)}  ${JSON.stringify(c.text)}${c.tasks.length ? `  ← ${c.tasks.join(', ')}` : ''}`);
  }
  if (record.unmatched && record.unmatched.length > 0) {
    lines.push('');
    lines.push(`Unmatched samples: ${record.unmatched.map((u) => `${JSON.stringify(u.text)}×${u.count}`).join(', ')}`);
  }
  const warnings = record.warnings.filter((w) => w.severity === 'warning');
  if (warnings.length > 0) {
    lines.push('');
    for (const w of warnings) lines.push(`warning: ${w.message}${w.line > 1 ? ` (line ${w.line})` : ''}`);
  }
  return lines.join('\n');
}

