/**
 * The collapse view: the paper's stated limitation is that generation commits to one task after the
 * first token. For the most probable first tokens, P(each task's answer | that token) — teacher-forced,
 * from the measured trie — as stacked bars: how the superposition collapses at the first step.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type TooltipItem } from 'chart.js';
import type { RunRecord } from '../core/record';
import { applyDefaults, tooltipTheme } from './charts';
import { h } from './dom';
import { formatPercent, formatTick, taskColorIndex, visibleToken, withAlpha } from './format';
import type { ThemeColors } from './theme';

export interface CollapseSeries {
  /** One row per first token, most probable first. */
  tokens: Array<{ token: string; label: string; probability: number }>;
  /** Per task (record order), then "other": P(answer | token) for each row. */
  stacks: Array<{ label: string; colorIndex: number | null; values: number[] }>;
}

/** The collapse rows of a record; undefined when it has none (sampling, or no first step measured). */
export function collapseSeries(record: Pick<RunRecord, 'collapse' | 'tasks'>): CollapseSeries | undefined {
  const rows = record.collapse ?? [];
  if (rows.length === 0 || record.tasks.length === 0) return undefined;
  const tokens = rows.map((r) => ({ token: r.token, label: `${visibleToken(r.token)}  ${formatPercent(r.probability)}`, probability: r.probability }));
  const stacks = record.tasks.map((t, i) => ({ label: t.label, colorIndex: taskColorIndex(i), values: rows.map((r) => Math.max(0, Math.min(1, r.tasks[i] ?? 0))) }));
  const other = rows.map((_, k) => Math.max(0, 1 - stacks.reduce((a, s) => a + s.values[k]!, 0)));
  return { tokens, stacks: [...stacks, { label: 'other', colorIndex: null, values: other }] };
}

/** One line for the section: what the first token decides. */
export function collapseSummary(series: CollapseSeries): string {
  const committed = series.tokens.filter((_, k) => series.stacks.slice(0, -1).some((s) => s.values[k]! >= 0.9)).length;
  return `${committed} of the ${series.tokens.length} most probable first tokens leave one task ≥ 90%: after that token the model has committed.`;
}

/** The same numbers as a table (for screen readers, copying and tests). */
export function collapseTable(series: CollapseSeries): HTMLElement {
  const head = h('tr', null, h('th', { scope: 'col' }, 'first token'), h('th', { scope: 'col' }, 'P(token)'), series.stacks.map((s) => h('th', { scope: 'col' }, `P(${s.label} | token)`)));
  const body = series.tokens.map((t, k) =>
    h('tr', { 'data-token': t.token }, h('td', { class: 'token' }, visibleToken(t.token)), h('td', null, formatPercent(t.probability)), series.stacks.map((s) => h('td', { 'data-task': s.label }, formatPercent(s.values[k]!)))),
  );
  return h('table', { id: 'collapse-table', class: 'data-table' }, h('thead', null, head), h('tbody', null, body));
}

let registered = false;

/** Stacked horizontal bars: one per first token, segments = P(task's answer | token). */
export class CollapseChart {
  readonly chart: Chart<'bar', number[], string>;

  constructor(canvas: HTMLCanvasElement, series: CollapseSeries, theme: ThemeColors) {
    if (!registered) Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);
    registered = true;
    applyDefaults(theme);
    this.chart = new Chart<'bar', number[], string>(canvas, {
      type: 'bar',
      data: { labels: series.tokens.map((t) => t.label), datasets: datasets(series, theme) },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true, min: 0, max: 1, ticks: { color: theme.foreground, callback: (v) => formatTick(Number(v)) }, title: { display: true, text: 'P(task answer | first token)', color: theme.muted } },
          y: { stacked: true, ticks: { color: theme.foreground, autoSkip: false }, grid: { display: false } },
        },
        plugins: {
          legend: { labels: { color: theme.foreground, boxWidth: 12 } },
          tooltip: { ...tooltipTheme(theme), callbacks: { label: (item: TooltipItem<'bar'>) => `${item.dataset.label ?? ''}: ${formatPercent(Number(item.raw))}` } },
        },
      },
    });
  }

  update(series: CollapseSeries, theme: ThemeColors): void {
    applyDefaults(theme);
    this.chart.data.labels = series.tokens.map((t) => t.label);
    this.chart.data.datasets = datasets(series, theme);
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

function datasets(series: CollapseSeries, theme: ThemeColors) {
  return series.stacks.map((s) => {
    const color = s.colorIndex === null ? theme.other : (theme.tasks[s.colorIndex] ?? theme.other);
    return { label: s.label, data: s.values, backgroundColor: withAlpha(color, theme.highContrast ? 0.9 : 0.8), borderColor: theme.highContrast ? theme.foreground : color, borderWidth: theme.highContrast ? 2 : 1, barPercentage: 0.8 };
  });
}
