import type { RunRecord } from './record';

export function csvCell(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined || (typeof value === 'number' && !Number.isFinite(value)) ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row per task plus "other", for spreadsheets. */
export function formatRecordCsv(record: RunRecord): string {
  const header = ['model', 'method', 'status', 'task', 'answer', 'share', 'probability', 'lower', 'upper', 'exact', 'ci95_low', 'ci95_high'];
  const rows: Array<Array<string | number | boolean | undefined>> = record.tasks.map((t) => [record.model, record.method, record.status, t.id, t.answer, t.share, t.probability, t.lower, t.upper, t.exact, t.ci95?.[0], t.ci95?.[1]]);
  rows.push([record.model, record.method, record.status, 'other', '', '', record.other.probability, record.other.lower, record.other.upper, '', '', '']);
  return [header, ...rows].map((r) => r.map((c) => csvCell(c)).join(',')).join('\n') + '\n';
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
