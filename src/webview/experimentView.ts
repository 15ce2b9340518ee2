/**
 * The experiment views: one scaling or calibration experiment (live while running), or two of the
 * same kind compared on one chart. The skeleton and the Chart instances are built once per kind;
 * updates patch the charts in place and replace the header and tables.
 *
 * DOM contract:
 * - #experiment-header[data-run-id][data-kind][data-status], #experiment-units (data-done, data-total)
 * - canvases #scaling-chart, #task-mass-chart (scaling) or #calibration-chart, #kl-chart (calibration)
 * - #scaling-table rows tr[data-model][data-k]: data-r, data-r-lower, data-r-upper, data-task-mass,
 *   data-above-threshold, data-other, data-n (empty string when r is null)
 * - #calibration-table rows tr[data-model][data-point]: data-share, data-p1, data-p1-lower, data-p1-upper,
 *   data-kl, data-kl-normalized, data-n; per-task cells td[data-task-id][data-probability][data-lower][data-upper]
 * - #kl-table rows tr[data-model][data-label] (one per bar): data-kl, data-kl-normalized, data-kl-infinite, data-n
 * - comparison: #experiment-comparison-table rows tr[data-run=left|right] plus the attributes above
 * - buttons #btn-rerun, #btn-export-png|csv|json, #btn-compare, #btn-resume (only when resumable)
 */
import type { Chart } from 'chart.js';
import type { CalibrationAggregate, ExperimentRecord, ScalingAggregate } from '../core/experiments/record';
import { chartPng } from './charts';
import { h, replaceChildren, type Child } from './dom';
import { ExperimentLineChart, KlBarChart, type LineChartSpec } from './experimentCharts';
import {
  calibrationComparison,
  calibrationSeries,
  formatProportions,
  formatR,
  planSummary,
  resumable,
  scalingComparison,
  scalingSeries,
  unitProgress,
  type CalibrationSeries,
  type ExperimentSeries,
  type ScalingSeries,
} from './experimentSeries';
import { formatDuration, formatKl, formatPercent, shortDigest, taskColorIndex } from './format';
import { actionButton, formatCreated, runErrorBox, simulatedBanner, statusBadge } from './header';
import type { ThemeColors } from './theme';

export interface ExperimentActions {
  rerun(runId: string): void;
  exportAs(runId: string, format: 'png' | 'csv' | 'json'): void;
  compareWith(runId: string): void;
  resume(runId: string): void;
}

const str = (v: number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

function kindTitle(record: ExperimentRecord): string {
  return record.kind === 'scaling' ? 'Task-count scaling' : 'Calibration';
}

function fact(label: string, value: Child, field: string): HTMLElement {
  return h('div', { class: 'fact' }, h('dt', null, label), h('dd', { 'data-field': field }, value));
}

function facts(record: ExperimentRecord, compact: boolean): HTMLElement {
  const progress = unitProgress(record);
  const models: { name: string; digest?: string | undefined }[] = record.models.length > 0 ? record.models : record.plan.models.map((name) => ({ name }));
  return h(
    'dl',
    { class: 'facts' },
    fact('Plan', planSummary(record), 'plan'),
    fact(
      'Models',
      models.map((m, i) => [i > 0 ? ', ' : '', m.name, m.digest ? [' ', h('code', { title: m.digest }, shortDigest(m.digest))] : null]),
      'models',
    ),
    fact('Ollama', record.hosts.length > 0 ? record.hosts.map((x) => `${x.host} (${x.version ?? '?'})`).join(', ') : '–', 'hosts'),
    fact(
      'Units',
      h('span', { id: compact ? null : 'experiment-units', 'data-done': String(progress.done), 'data-total': String(progress.total) }, `${progress.done} / ${progress.total}${progress.failed > 0 ? ` (${progress.failed} failed)` : ''}`),
      'units',
    ),
    fact('Requests', String(record.requests), 'requests'),
    fact('Duration', formatDuration(record.durationMs), 'duration'),
  );
}

const errorBox = (record: ExperimentRecord): HTMLElement | null => runErrorBox(record, 'experiment-error');
const badge = statusBadge;

function experimentHeader(record: ExperimentRecord, running: boolean, actions: ExperimentActions): HTMLElement {
  const id = record.id;
  return h(
    'header',
    { id: 'experiment-header', class: 'run-header', 'data-run-id': id, 'data-kind': record.kind, 'data-status': running ? 'running' : record.status },
    h('div', { class: 'title-row' }, h('h1', null, kindTitle(record)), badge(record, running)),
    facts(record, false),
    errorBox(record),
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Experiment actions' },
      resumable(record, running) ? actionButton('btn-resume', 'Resume', () => actions.resume(id), { icon: 'debug-continue' }) : null,
      actionButton('btn-rerun', 'Re-run', () => actions.rerun(id), { secondary: resumable(record, running), disabled: running, icon: 'debug-rerun' }),
      actionButton('btn-export-png', 'Export PNG', () => actions.exportAs(id, 'png'), { secondary: true, disabled: running, icon: 'file-media' }),
      actionButton('btn-export-csv', 'Export CSV', () => actions.exportAs(id, 'csv'), { secondary: true, disabled: running, icon: 'table' }),
      actionButton('btn-export-json', 'Export JSON', () => actions.exportAs(id, 'json'), { secondary: true, disabled: running, icon: 'json' }),
      actionButton('btn-compare', 'Compare with…', () => actions.compareWith(id), { secondary: true, disabled: running, icon: 'diff' }),
    ),
  );
}

function sideLine(side: 'left' | 'right', record: ExperimentRecord): HTMLElement {
  const p = unitProgress(record);
  return h('p', { class: 'query-line', id: `experiment-${side}`, 'data-run-id': record.id, 'data-status': record.status }, h('strong', null, side === 'left' ? 'Left (solid): ' : 'Right (dashed): '), `${formatCreated(record.createdAt)} · ${record.status} · ${p.done}/${p.total} units · ${planSummary(record)}`);
}

function swatchFor(index: number): HTMLElement {
  return h('span', { class: `swatch task-c${taskColorIndex(index)}`, 'aria-hidden': 'true' });
}

// ---- tables ---------------------------------------------------------------------------------

function scalingRowAttrs(a: ScalingAggregate): Record<string, string> {
  return {
    'data-model': a.model,
    'data-k': String(a.K),
    'data-r': str(a.r?.mean),
    'data-r-lower': str(a.r?.lower),
    'data-r-upper': str(a.r?.upper),
    'data-task-mass': String(a.taskMass),
    'data-above-threshold': String(a.aboveThreshold),
    'data-other': String(a.other),
    'data-n': String(a.n),
  };
}

function scalingCells(a: ScalingAggregate, colorIndex: number): HTMLElement[] {
  return [
    h('th', { scope: 'row', class: 'task-cell' }, swatchFor(colorIndex), h('span', { class: 'task-label' }, a.model)),
    h('td', { class: 'num' }, String(a.K)),
    h('td', { class: 'num' }, formatR(a.r)),
    h('td', { class: 'num' }, formatPercent(a.taskMass)),
    h('td', { class: 'num' }, a.aboveThreshold.toFixed(2)),
    h('td', { class: 'num' }, formatPercent(a.other)),
    h('td', { class: 'num' }, String(a.n)),
  ];
}

const scalingHead = (run: boolean) =>
  h(
    'tr',
    null,
    run ? h('th', { scope: 'col' }, 'Run') : null,
    h('th', { scope: 'col' }, 'Model'),
    h('th', { scope: 'col', class: 'num' }, 'K'),
    h('th', { scope: 'col', class: 'num' }, 'E[r] [95% CI]'),
    h('th', { scope: 'col', class: 'num' }, 'Task mass'),
    h('th', { scope: 'col', class: 'num' }, 'Tasks ≥ threshold'),
    h('th', { scope: 'col', class: 'num' }, 'Other'),
    h('th', { scope: 'col', class: 'num' }, 'Prompts'),
  );

function modelColor(series: ExperimentSeries, model: string): number {
  const lines = series.kind === 'scaling' ? series.r : series.p1;
  return lines.find((l) => l.model === model)?.colorIndex ?? 0;
}

function scalingTable(record: ExperimentRecord, series: ScalingSeries): HTMLElement {
  const rows = record.aggregates.scaling ?? [];
  return h(
    'table',
    { id: 'scaling-table', class: 'data-table' },
    h('caption', null, `E[r], task mass, tasks above ${record.plan.kind === 'scaling' ? formatPercent(record.plan.threshold) : 'the threshold'} and other, per model and K`),
    h('thead', null, scalingHead(false)),
    h(
      'tbody',
      null,
      rows.length === 0 ? h('tr', { class: 'empty-row' }, h('td', { colspan: '7', class: 'muted' }, 'No finished measurements yet.')) : null,
      rows.map((a) => h('tr', scalingRowAttrs(a), scalingCells(a, modelColor(series, a.model)))),
    ),
  );
}

function calibrationRowAttrs(a: CalibrationAggregate): Record<string, string> {
  const p1 = a.tasks[0]?.probability;
  return {
    'data-model': a.model,
    'data-point': String(a.point),
    'data-share': String(a.proportions[0] ?? 0),
    'data-p1': str(p1?.mean),
    'data-p1-lower': str(p1?.lower),
    'data-p1-upper': str(p1?.upper),
    'data-kl': str(a.kl.mean),
    'data-kl-normalized': str(a.klNormalized.mean),
    'data-kl-infinite': String(a.kl.infinite),
    'data-n': String(a.n),
  };
}

function klText(k: CalibrationAggregate['kl']): string {
  const value = k.mean === null ? (k.infinite > 0 ? '∞' : '–') : formatKl(k.mean);
  return k.infinite > 0 && k.mean !== null ? `${value} (+${k.infinite} ∞)` : value;
}

function probabilityText(p: { mean: number; lower: number; upper: number }): string {
  if (!Number.isFinite(p.mean)) return '–';
  if (Math.abs(p.upper - p.lower) < 5e-5) return formatPercent(p.mean);
  return `${formatPercent(p.mean)} [${formatPercent(Math.max(0, p.lower))}, ${formatPercent(Math.min(1, p.upper))}]`;
}

/** The mean, and its interval on a second line, so the table fits the default editor split. */
function probabilityCell(p: { mean: number; lower: number; upper: number }): Child {
  if (!Number.isFinite(p.mean) || Math.abs(p.upper - p.lower) < 5e-5) return probabilityText(p);
  return [formatPercent(p.mean), h('span', { class: 'ci-line' }, `[${formatPercent(Math.max(0, p.lower))}, ${formatPercent(Math.min(1, p.upper))}]`)];
}

function calibrationCells(a: CalibrationAggregate, tasks: readonly string[], colorIndex: number, withModel = true): Array<HTMLElement | null> {
  return [
    withModel ? h('th', { scope: 'row', class: 'task-cell' }, swatchFor(colorIndex), h('span', { class: 'task-label' }, a.model)) : null,
    h(withModel ? 'td' : 'th', { class: 'num', ...(withModel ? {} : { scope: 'row' }) }, formatProportions(a.proportions)),
    ...tasks.map((id) => {
      const t = a.tasks.find((x) => x.id === id);
      return h(
        'td',
        { class: 'num', 'data-task-id': id, 'data-probability': str(t?.probability.mean), 'data-lower': str(t?.probability.lower), 'data-upper': str(t?.probability.upper) },
        t ? probabilityCell(t.probability) : '–',
      );
    }),
    h('td', { class: 'num' }, klText(a.kl)),
    h('td', { class: 'num' }, klText(a.klNormalized)),
    h('td', { class: 'num' }, String(a.n)),
  ];
}

const calibrationHead = (tasks: readonly string[], run: boolean, withModel = true) =>
  h(
    'tr',
    null,
    run ? h('th', { scope: 'col' }, 'Run') : null,
    withModel ? h('th', { scope: 'col' }, 'Model') : null,
    h('th', { scope: 'col', class: 'num' }, `Shares (${tasks.join(' / ')})`),
    tasks.map((id) => h('th', { scope: 'col', class: 'num' }, `p(${id})`)),
    h('th', { scope: 'col', class: 'num' }, 'KL'),
    h('th', { scope: 'col', class: 'num' }, 'KL (normalised)'),
    h('th', { scope: 'col', class: 'num' }, 'Prompts'),
  );

/** Mean KL per model over all its mixture points (the bar chart's numbers); one row per bar. */
function klTable(bars: CalibrationSeries['kl']): HTMLElement {
  const meanText = (mean: number | null, infinite: number) => (mean === null ? (infinite > 0 ? '∞' : '–') : formatKl(mean));
  return h(
    'table',
    { id: 'kl-table', class: 'data-table' },
    h('caption', null, 'Mean KL(in-context shares ‖ answer probabilities) per model, over all mixture points and prompts (finite values; prompts with an infinite KL counted apart)'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, 'Model'),
        h('th', { scope: 'col', class: 'num' }, 'Mean KL'),
        h('th', { scope: 'col', class: 'num' }, 'Mean KL (normalised)'),
        h('th', { scope: 'col', class: 'num' }, 'Infinite KL'),
        h('th', { scope: 'col', class: 'num' }, 'Prompts'),
      ),
    ),
    h(
      'tbody',
      null,
      bars.labels.length === 0 ? h('tr', { class: 'empty-row' }, h('td', { colspan: '5', class: 'muted' }, 'No finished measurements yet.')) : null,
      bars.labels.map((label, i) =>
        h(
          'tr',
          {
            'data-model': bars.models[i] ?? label,
            'data-label': label,
            'data-kl': str(bars.kl[i]),
            'data-kl-normalized': str(bars.klNormalized[i]),
            'data-kl-infinite': String(bars.infinite[i] ?? 0),
            'data-n': String(bars.n[i] ?? 0),
          },
          h('th', { scope: 'row', class: 'task-cell' }, swatchFor(bars.colorIndex[i] ?? 0), h('span', { class: 'task-label' }, label)),
          h('td', { class: 'num' }, meanText(bars.kl[i] ?? null, bars.infinite[i] ?? 0)),
          h('td', { class: 'num' }, meanText(bars.klNormalized[i] ?? null, bars.infiniteNormalized[i] ?? 0)),
          h('td', { class: 'num' }, String(bars.infinite[i] ?? 0)),
          h('td', { class: 'num' }, String(bars.n[i] ?? 0)),
        ),
      ),
    ),
  );
}

function calibrationTable(record: ExperimentRecord, series: CalibrationSeries): HTMLElement {
  const rows = record.aggregates.calibration ?? [];
  return h(
    'table',
    { id: 'calibration-table', class: 'data-table' },
    h('caption', null, 'Mean probability of each task’s answer (95% CI) and mean KL, per model and mixture point'),
    h('thead', null, calibrationHead(series.tasks, false, false)),
    rows.length === 0 ? h('tbody', null, h('tr', { class: 'empty-row' }, h('td', { colspan: String(4 + series.tasks.length), class: 'muted' }, 'No finished measurements yet.'))) : null,
    // One row group per model, headed by the model: no model column, so the table fits the default split.
    [...new Set(rows.map((a) => a.model))].map((model) =>
      h(
        'tbody',
        { class: 'model-group', 'data-model-group': model },
        h('tr', { class: 'group-head' }, h('th', { scope: 'rowgroup', colspan: String(4 + series.tasks.length), class: 'task-cell' }, swatchFor(modelColor(series, model)), h('span', { class: 'task-label' }, model))),
        rows.filter((a) => a.model === model).map((a) => h('tr', calibrationRowAttrs(a), calibrationCells(a, series.tasks, modelColor(series, a.model), false))),
      ),
    ),
  );
}

function comparisonTable(left: ExperimentRecord, right: ExperimentRecord, series: ExperimentSeries): HTMLElement {
  const sides: ['left' | 'right', ExperimentRecord][] = [
    ['left', left],
    ['right', right],
  ];
  const runCell = (side: 'left' | 'right') => h('td', null, side === 'left' ? 'Left' : 'Right');
  if (series.kind === 'scaling') {
    return h(
      'table',
      { id: 'experiment-comparison-table', class: 'data-table', 'data-kind': 'scaling' },
      h('caption', null, 'E[r] and task mass per model and K, both runs'),
      h('thead', null, scalingHead(true)),
      h('tbody', null, sides.map(([side, rec]) => (rec.aggregates.scaling ?? []).map((a) => h('tr', { ...scalingRowAttrs(a), 'data-run': side, 'data-run-id': rec.id }, runCell(side), scalingCells(a, modelColor(series, a.model)))))),
    );
  }
  return h(
    'table',
    { id: 'experiment-comparison-table', class: 'data-table', 'data-kind': 'calibration' },
    h('caption', null, 'Mean probability of each task’s answer and mean KL per model and mixture point, both runs'),
    h('thead', null, calibrationHead(series.tasks, true)),
    h('tbody', null, sides.map(([side, rec]) => (rec.aggregates.calibration ?? []).map((a) => h('tr', { ...calibrationRowAttrs(a), 'data-run': side, 'data-run-id': rec.id }, runCell(side), calibrationCells(a, series.tasks, modelColor(series, a.model)))))),
  );
}

// ---- chart specs ----------------------------------------------------------------------------

function rSpec(series: ScalingSeries): LineChartSpec {
  return {
    lines: series.r,
    reference: { label: 'ideal r = K', points: series.diagonal },
    x: { min: series.kMin, max: series.kMax, title: 'K (tasks in the prompt)', percent: false, step: 1 },
    y: { min: 0, max: series.rMax, title: 'E[r] (tasks carried)', percent: false, step: 1 },
    formatX: (x) => `K = ${x}`,
    formatY: (y) => y.toFixed(2),
  };
}

function massSpec(series: ScalingSeries): LineChartSpec {
  return {
    lines: series.taskMass,
    reference: null,
    x: { min: series.kMin, max: series.kMax, title: 'K (tasks in the prompt)', percent: false, step: 1 },
    y: { min: 0, max: 1, title: 'task mass (probability on task answers)', percent: true },
    formatX: (x) => `K = ${x}`,
    formatY: (y) => formatPercent(y),
  };
}

function p1Spec(series: CalibrationSeries): LineChartSpec {
  const task = series.tasks[0] ?? 'task 1';
  return {
    lines: series.p1,
    reference: { label: 'perfectly calibrated', points: series.diagonal },
    x: { min: 0, max: 1, title: `in-context share of ${task}`, percent: true },
    y: { min: 0, max: 1, title: `probability of ${task}’s answer`, percent: true },
    formatX: (x) => `share of ${task} ${formatPercent(x)}`,
    formatY: (y) => formatPercent(y),
  };
}

function section(id: string, title: string, ...content: Child[]): HTMLElement {
  return h('section', { id, class: 'panel-section', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), content);
}

function chartBox(canvas: HTMLCanvasElement, height: number): HTMLElement {
  const box = h('div', { class: 'chart-box' }, canvas);
  box.style.height = `${height}px`;
  return box;
}

export interface ExperimentCharts {
  scaling?: Chart;
  taskMass?: Chart;
  calibration?: Chart;
  kl?: Chart;
}

/**
 * One experiment, or two of the same kind (comparison). Built for one kind; the caller makes a new
 * view when the kind or the mode changes.
 */
export class ExperimentView {
  readonly root: HTMLElement;
  readonly kind: ExperimentRecord['kind'];
  readonly comparison: boolean;
  record: ExperimentRecord | undefined;
  left: ExperimentRecord | undefined;
  right: ExperimentRecord | undefined;
  private running = false;
  private cancelling = false;
  private readonly top = h('div');
  private readonly tables1 = h('div', { class: 'table-scroll' });
  private readonly tables2 = h('div', { class: 'table-scroll' });
  private readonly canvas1: HTMLCanvasElement;
  private readonly canvas2: HTMLCanvasElement;
  private chart1: ExperimentLineChart | undefined;
  private chart2: ExperimentLineChart | KlBarChart | undefined;

  constructor(kind: ExperimentRecord['kind'], comparison: boolean, private readonly actions: ExperimentActions) {
    this.kind = kind;
    this.comparison = comparison;
    const scaling = kind === 'scaling';
    this.canvas1 = h('canvas', { id: scaling ? 'scaling-chart' : 'calibration-chart', role: 'img', 'aria-label': scaling ? 'E[r] against K' : 'Probability of task 1 against its share' });
    this.canvas2 = h('canvas', { id: scaling ? 'task-mass-chart' : 'kl-chart', role: 'img', 'aria-label': scaling ? 'Task mass against K' : 'Mean KL per model' });
    this.root = h(
      'div',
      { class: `experiment-view experiment-${kind}`, 'data-kind': kind },
      this.top,
      section(scaling ? 'scaling' : 'calibration', scaling ? 'Tasks carried (E[r]) against K' : 'Probability of task 1 against its in-context share', chartBox(this.canvas1, 360), this.tables1),
      section(scaling ? 'task-mass' : 'kl', scaling ? 'Task mass against K' : 'Mean KL per model', chartBox(this.canvas2, scaling ? 280 : 260), this.tables2),
    );
  }

  private series(): ExperimentSeries | undefined {
    if (this.comparison) {
      if (!this.left || !this.right) return undefined;
      return this.kind === 'scaling' ? scalingComparison(this.left, this.right) : calibrationComparison(this.left, this.right);
    }
    if (!this.record) return undefined;
    return this.kind === 'scaling' ? scalingSeries(this.record) : calibrationSeries(this.record);
  }

  private draw(series: ExperimentSeries, theme: ThemeColors, animate: boolean, mode?: 'none'): void {
    const spec1 = series.kind === 'scaling' ? rSpec(series) : p1Spec(series);
    if (this.chart1) this.chart1.update(spec1, theme, mode);
    else this.chart1 = new ExperimentLineChart(this.canvas1, spec1, theme, animate);
    if (series.kind === 'scaling') {
      const spec2 = massSpec(series);
      if (this.chart2 instanceof ExperimentLineChart) this.chart2.update(spec2, theme, mode);
      else this.chart2 = new ExperimentLineChart(this.canvas2, spec2, theme, animate);
    } else {
      if (this.chart2 instanceof KlBarChart) this.chart2.update(series.kl, theme, mode);
      else this.chart2 = new KlBarChart(this.canvas2, series.kl, theme, animate);
    }
  }

  /** Renders one experiment; the root must be in the document. While running, charts update without animation. */
  update(record: ExperimentRecord, running: boolean, simulated: boolean, theme: ThemeColors, animate: boolean): void {
    this.simulated = simulated;
    const firstDraw = !this.chart1;
    if (!running || this.record?.id !== record.id) this.cancelling = false;
    this.record = record;
    this.running = running;
    replaceChildren(this.top, simulated ? simulatedBanner() : null, experimentHeader(record, running, this.actions));
    if (this.cancelling) this.markCancelling();
    const series = this.series();
    if (!series) return;
    this.draw(series, theme, animate, running || !firstDraw ? 'none' : undefined);
    if (series.kind === 'scaling') {
      replaceChildren(this.tables1, scalingTable(record, series));
      replaceChildren(this.tables2);
    } else {
      replaceChildren(this.tables1, calibrationTable(record, series));
      replaceChildren(this.tables2, klTable(series.kl));
    }
  }

  updateComparison(left: ExperimentRecord, right: ExperimentRecord, simulated: boolean, theme: ThemeColors, animate: boolean): void {
    this.simulated = simulated;
    this.left = left;
    this.right = right;
    replaceChildren(
      this.top,
      simulated ? simulatedBanner() : null,
      h(
        'header',
        { id: 'experiment-comparison-header', class: 'run-header', 'data-kind': left.kind },
        h('h1', null, `${kindTitle(left)}: comparison`),
        sideLine('left', left),
        sideLine('right', right),
      ),
    );
    const series = this.series();
    if (!series) return;
    this.draw(series, theme, animate);
    replaceChildren(this.tables1, comparisonTable(left, right, series));
    replaceChildren(this.tables2, series.kind === 'calibration' ? klTable(series.kl) : null);

  }

  retheme(theme: ThemeColors): void {
    const series = this.series();
    if (series) this.draw(series, theme, false, 'none');
  }

  get charts(): ExperimentCharts {
    const c1 = this.chart1?.chart as unknown as Chart | undefined;
    const c2 = this.chart2?.chart as unknown as Chart | undefined;
    return this.kind === 'scaling' ? { scaling: c1, taskMass: c2 } : { calibration: c1, kl: c2 };
  }

  /** PNG of the main chart (E[r] or calibration) on the theme background, captioned with the kind and the plan. */
  private simulated = false;

  png(theme: ThemeColors): string | undefined {
    const record = this.record ?? this.left;
    if (!this.chart1 || !this.chart2 || !record) return undefined;
    const caption = `${kindTitle(record)} · ${planSummary(record)}`;
    const key = this.kind === 'scaling' ? 'lines: E[r] per model · ┬┴ 95% interval · dashed: ideal r = K' : 'lines: probability of task 1 per model · ┬┴ 95% interval · dashed: perfectly calibrated';
    return chartPng(this.chart1.chart as unknown as Chart, caption, key, theme, this.simulated);
  }

  /** Cancel was asked: the badge says so at once (the next redraw keeps it). */
  markCancelling(): void {
    this.cancelling = true;
    const badge = this.top.querySelector('.status-badge');
    if (badge) badge.textContent = 'cancelling…';
  }

  isRunning(): boolean {
    return this.running;
  }

  destroy(): void {
    this.chart1?.destroy();
    this.chart2?.destroy();
    this.chart1 = undefined;
    this.chart2 = undefined;
    this.root.remove();
  }
}
