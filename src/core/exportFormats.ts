import type { RunRecord } from './record';

export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per task plus "other", for spreadsheets. Every row also carries the run (id, date,
 * source, digest) and its metrics, so rows pasted from several exports stay attributable.
 */
export function formatRecordCsv(record: RunRecord): string {
  const header = ['model', 'method', 'status', 'task', 'answer', 'share', 'probability', 'lower', 'upper', 'exact', 'ci95_low', 'ci95_high', 'run_id', 'created_at', 'source', 'model_digest', 'simulated', 'kl', 'kl_normalized', 'r', 'K', 'entropy', 'task_mass'];
  const m = record.metrics;
  const run = [record.id, record.createdAt, record.input.source ?? '', record.modelDigest ?? '', record.simulated, m.kl, m.klNormalized, m.r, m.K, m.entropy, m.taskMass];
  const rows: Array<Array<string | number | boolean | null | undefined>> = record.tasks.map((t) => [record.model, record.method, record.status, t.id, t.answer, t.share, t.probability, t.lower, t.upper, t.exact, t.ci95?.[0], t.ci95?.[1], ...run]);
  rows.push([record.model, record.method, record.status, 'other', '', '', record.other.probability, record.other.lower, record.other.upper, '', '', '', ...run]);
  return [header, ...rows].map((r) => r.map((c) => csvCell(c)).join(',')).join('\n') + '\n';
}

/** `<source file or model>-<YYYYMMDD-HHMMSS>.<ext>`: export names that say what and when, sortable by time. */
export function exportFileName(record: { createdAt: string; model: string; input?: { source?: string } }, ext: string): string {
  const source = record.input?.source?.split(/[\\/]/).pop()?.replace(/\.superposition\.json$|\.[^.]+$/, '');
  const base = (source || record.model).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  const d = new Date(record.createdAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = Number.isNaN(d.getTime()) ? 'undated' : `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
  return `${base}-${stamp}.${ext}`;
}

export function formatRecordJson(record: RunRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The number a run is known by in lists: the most probable task and its probability. */
export function headline(record: Pick<RunRecord, 'tasks' | 'status' | 'error'>): string {
  if (record.status === 'failed' && record.tasks.every((t) => t.probability === 0)) return record.error?.kind ?? 'failed';
  const top = [...record.tasks].sort((a, b) => b.probability - a.probability)[0];
  return top ? `${top.id} ${(100 * top.probability).toFixed(1)}%` : '—';
}
