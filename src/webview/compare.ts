/** Two runs side by side: both headers, their differences, a grouped bar chart and a table. */
import type { RunRecord } from '../core/record';
import { chartHeight, chartPng, ComparisonChart, type ComparisonNames } from './charts';
import { answerCode } from './distribution';
import { h, replaceChildren } from './dom';
import { comparisonSeries, formatKl, formatPercent, metaDifferences, type ComparisonSeries } from './format';
import { actionButton, runErrorBox, simulatedBanner, statusBadge } from './header';
import type { ThemeColors } from './theme';
import { entropyText } from './verdict';
import { comparisonDifferences } from '../core/comparison';

export interface ComparisonActions {
  rerun(runId: string): void;
  openSource(runId: string): void;
  promptDiff(beforeId: string, afterId: string): void;
  exportComparison(beforeId: string, afterId: string, format: 'csv' | 'json' | 'png'): void;
}

/** The extension sends the older run as `left` (Before) and the newer as `right` (After). */
const SIDE_NAME = { left: 'Before', right: 'After' } as const;

function when(record: RunRecord): string {
  const d = new Date(record.createdAt);
  return Number.isNaN(d.getTime()) ? record.createdAt : d.toLocaleString();
}

function names(left: RunRecord, right: RunRecord): ComparisonNames {
  return { left: `Before · ${left.model}`, right: `After · ${right.model}` };
}

function sideCard(side: 'left' | 'right', record: RunRecord, actions: ComparisonActions): HTMLElement {
  return h(
    'div',
    { class: `side-card side-${side}`, id: `comparison-${side}`, 'data-run-id': record.id, 'data-model': record.model, 'data-status': record.status },
    h('div', { class: 'title-row' }, h('span', { class: `side-key side-key-${side}`, 'aria-hidden': 'true' }), h('h2', null, `${SIDE_NAME[side]}: ${record.model}`), statusBadge(record, false), record.simulated ? h('span', { class: 'status-badge status-simulated', 'data-simulated': 'true' }, 'simulated') : null),
    h('p', { class: 'query-line' }, 'Query ', h('code', null, `${record.input.query}${record.input.separator === '\t' ? '⇥' : record.input.separator}`), ` · ${record.input.examples.length} examples · `, h('time', { datetime: record.createdAt }, when(record))),
    runErrorBox(record),
    h(
      'div',
      { class: 'actions' },
      actionButton(`btn-rerun-${side}`, 'Re-run', () => actions.rerun(record.id), { secondary: true, icon: 'debug-rerun' }),
      record.input.source ? actionButton(`btn-open-source-${side}`, 'Open prompt', () => actions.openSource(record.id), { secondary: true, icon: 'go-to-file', title: record.input.source }) : null,
    ),
  );
}

function differencesTable(left: RunRecord, right: RunRecord): HTMLElement {
  const rows = metaDifferences(left, right);
  return h(
    'table',
    { id: 'comparison-meta', class: 'data-table compact meta-diff' },
    h('caption', null, 'Run settings (differences marked ≠)'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          { class: r.differs ? 'differs' : '', 'data-field': r.field, 'data-differs': String(r.differs) },
          h('th', { scope: 'row' }, r.field, r.differs ? h('span', { class: 'differs-mark', title: 'differs' }, ' ≠') : null),
          h('td', null, r.left),
          h('td', null, r.right),
        ),
      ),
    ),
  );
}

function delta(l: number | null, r: number | null): string {
  if (l === null || r === null) return '–';
  const d = (r - l) * 100;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return `${sign}${Math.abs(d).toFixed(1)} pt`;
}

function comparisonTable(series: ComparisonSeries): HTMLElement {
  return h(
    'table',
    { id: 'comparison-table', class: 'data-table' },
    h('caption', null, 'Probability of each task’s answer, before and after (◆ share of the examples on each side)'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Task'),
        h('th', { scope: 'col' }, 'Answer'),
        h('th', { scope: 'col', class: 'num' }, 'Before'),
        h('th', { scope: 'col', class: 'num' }, 'After'),
        h('th', { scope: 'col', class: 'num' }, 'Δ (after − before)'),
      ),
    ),
    h(
      'tbody',
      null,
      series.rows.map((row) => {
        const answers =
          row.id === 'other'
            ? h('span', { class: 'muted' }, '—')
            : row.leftAnswer !== null && row.rightAnswer !== null && row.leftAnswer !== row.rightAnswer
              ? [answerCode(row.leftAnswer), ' / ', answerCode(row.rightAnswer)]
              : answerCode(row.leftAnswer ?? row.rightAnswer ?? '');
        return h(
          'tr',
          {
            'data-task-id': row.id,
            'data-left': row.left === null ? '' : String(row.left),
            'data-right': row.right === null ? '' : String(row.right),
            'data-left-answer': row.leftAnswer ?? '',
            'data-right-answer': row.rightAnswer ?? '',
            'data-left-share': row.leftShare === null ? '' : String(row.leftShare),
            'data-right-share': row.rightShare === null ? '' : String(row.rightShare),
            class: row.id === 'other' ? 'row-other' : 'row-task',
          },
          h('th', { scope: 'row', class: 'task-cell' }, h('span', { class: 'task-label' }, row.label), row.id === 'other' ? null : h('span', { class: 'task-id' }, row.id)),
          h('td', null, answers),
          h('td', { class: 'num' }, row.leftText, row.leftShare !== null ? h('span', { class: 'share-note' }, ` share ${formatPercent(row.leftShare)}`) : null),
          h('td', { class: 'num' }, row.rightText, row.rightShare !== null ? h('span', { class: 'share-note' }, ` share ${formatPercent(row.rightShare)}`) : null),
          h('td', { class: 'num' }, delta(row.left, row.right)),
        );
      }),
    ),
  );
}

function metricsTable(left: RunRecord, right: RunRecord): HTMLElement {
  const row = (label: string, l: string, r: string) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, l), h('td', { class: 'num' }, r));
  const a = left.metrics;
  const b = right.metrics;
  return h(
    'table',
    { id: 'comparison-metrics', class: 'data-table compact' },
    h('caption', null, 'Metrics'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, ''), h('th', { scope: 'col', class: 'num' }, 'Before'), h('th', { scope: 'col', class: 'num' }, 'After'))),
    h(
      'tbody',
      null,
      row('KL (paper)', formatKl(a.kl), formatKl(b.kl)),
      row('KL (normalised)', formatKl(a.klNormalized), formatKl(b.klNormalized)),
      row('r / K', `${a.r ?? '–'} / ${a.K}`, `${b.r ?? '–'} / ${b.K}`),
      row('Entropy', entropyText(a), entropyText(b)),
      row('Task mass', formatPercent(a.taskMass), formatPercent(b.taskMass)),
    ),
  );
}

export class ComparisonView {
  readonly root: HTMLElement;
  private chart: ComparisonChart | undefined;
  private readonly canvas: HTMLCanvasElement;
  private readonly chartBox: HTMLElement;
  private readonly top: HTMLElement;
  private readonly tables: HTMLElement;
  left: RunRecord | undefined;
  right: RunRecord | undefined;

  constructor(private readonly actions: ComparisonActions) {
    this.canvas = h('canvas', { id: 'comparison-chart', role: 'img', 'aria-label': 'Answer probabilities of both runs' });
    this.chartBox = h('div', { class: 'chart-box' }, this.canvas);
    this.top = h('div');
    this.tables = h('div');
    this.root = h(
      'div',
      { class: 'comparison-view' },
      this.top,
      h('section', { id: 'comparison', class: 'panel-section', 'aria-labelledby': 'comparison-title' }, h('h2', { id: 'comparison-title' }, 'Answer distribution'), this.chartBox, this.tables),
    );
  }

  update(left: RunRecord, right: RunRecord, simulated: boolean, theme: ThemeColors, animate: boolean): void {
    this.left = left;
    this.right = right;
    const series = comparisonSeries(left, right);
    replaceChildren(
      this.top,
      simulated ? simulatedBanner() : null,
      h(
        'header',
        { id: 'comparison-header', class: 'run-header' },
        h('h1', null, 'Before / After'),
        h('p', { id: 'comparison-differs', class: 'verdict' }, `What changed: ${comparisonDifferences({ before: left, after: right }).join(' · ')}`),
        h(
          'div',
          { class: 'actions', role: 'toolbar', 'aria-label': 'Comparison actions' },
          actionButton('btn-prompt-diff', 'Show prompt diff', () => this.actions.promptDiff(left.id, right.id), { icon: 'diff', title: 'Open both prompts in VS Code’s diff editor' }),
          actionButton('btn-export-comparison-csv', 'Export CSV', () => this.actions.exportComparison(left.id, right.id, 'csv'), { secondary: true, icon: 'table' }),
          actionButton('btn-export-comparison-json', 'Export JSON', () => this.actions.exportComparison(left.id, right.id, 'json'), { secondary: true, icon: 'json' }),
          actionButton('btn-export-comparison-png', 'Export PNG', () => this.actions.exportComparison(left.id, right.id, 'png'), { secondary: true, icon: 'file-media' }),
        ),
        h('div', { class: 'sides' }, sideCard('left', left, this.actions), sideCard('right', right, this.actions)),
        h('details', { class: 'run-details' }, h('summary', null, 'Run settings side by side'), h('div', { class: 'table-scroll' }, differencesTable(left, right))),
      ),
    );
    this.chartBox.style.height = `${chartHeight(series.rows.length, true)}px`;
    this.canvas.setAttribute(
      'aria-label',
      `Answer probabilities, before (${left.model}) versus after (${right.model}): ${series.rows.map((r) => `${r.label} ${r.leftText} then ${r.rightText}`).join('; ')}.`,
    );
    if (this.chart) this.chart.update(series, names(left, right), theme);
    else this.chart = new ComparisonChart(this.canvas, series, names(left, right), theme, animate);
    replaceChildren(
      this.tables,
      h('p', { class: 'hint' }, 'Bars: probability, Before then After; ├─┤ interval; ◆ in-context share of the task on that side.'),
      h('div', { class: 'table-scroll' }, comparisonTable(series)),
      h('div', { class: 'table-scroll' }, metricsTable(left, right)),
    );
  }

  retheme(theme: ThemeColors): void {
    if (this.chart && this.left && this.right) this.chart.update(comparisonSeries(this.left, this.right), names(this.left, this.right), theme, 'none');
  }

  /** PNG (data: URL) of the Before / After chart, captioned with both runs. */
  png(theme: ThemeColors): string | undefined {
    if (!this.chart || !this.left || !this.right) return undefined;
    const caption = `Before: ${this.left.model} (${when(this.left)}) · After: ${this.right.model} (${when(this.right)}) · query “${this.right.input.query}${this.right.input.separator}”`;
    return chartPng(this.chart.chart, caption, 'bars: Before, After   ├─┤ interval   ◆ in-context share', theme, this.left.simulated || this.right.simulated);
  }

  get comparisonChart(): ComparisonChart | undefined {
    return this.chart;
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.root.remove();
  }
}
