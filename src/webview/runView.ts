/**
 * The single-run view. Its skeleton (and the chart) is built once; each update (e.g. a running run
 * being refreshed) replaces the sections' contents and updates the chart in place.
 */
import type { RunRecord } from '../core/record';
import { chartHeight, chartPng, DistributionChart } from './charts';
import { CollapseChart, collapseSeries, collapseSummary, collapseTable } from './collapse';
import { completionsTable, distributionTable, metricsList, unmatchedTable } from './distribution';
import { h, replaceChildren } from './dom';
import { distributionSeries, distributionSummary } from './format';
import { runHeader, simulatedBanner, type HeaderActions } from './header';
import { promptView } from './promptView';
import type { ThemeColors } from './theme';
import { tokenView } from './tokens';
import { intervalNote } from './verdict';

function section(id: string, title: string, ...content: HTMLElement[]): { section: HTMLElement; body: HTMLElement } {
  const headingId = `${id}-title`;
  const body = h('div', { class: 'section-body' }, content);
  return { section: h('section', { id, class: 'panel-section', 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), body), body };
}

export class RunView {
  readonly root: HTMLElement;
  record: RunRecord | undefined;
  private chart: DistributionChart | undefined;
  private readonly canvas: HTMLCanvasElement;
  private readonly chartBox: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly header: HTMLElement;
  private readonly metrics: HTMLElement;
  private readonly table: HTMLElement;
  private readonly completions: HTMLElement;
  private readonly tokens: HTMLElement;
  private readonly prompt: HTMLElement;
  private readonly unmatched: { section: HTMLElement; body: HTMLElement };
  private readonly note: HTMLElement;
  private readonly collapse: { section: HTMLElement; body: HTMLElement };
  private readonly collapseCanvas = h('canvas', { id: 'collapse-chart', role: 'img', 'aria-label': 'P(task answer | first token)' });
  private readonly collapseBox = h('div', { class: 'chart-box' }, this.collapseCanvas);
  private readonly collapseNote = h('p', { class: 'note' });
  private readonly collapseRows = h('div', { class: 'table-scroll' });
  private collapseChart: CollapseChart | undefined;

  constructor(private readonly actions: HeaderActions) {
    this.canvas = h('canvas', { id: 'distribution-chart', role: 'img', 'aria-label': 'Answer probabilities' });
    this.chartBox = h('div', { class: 'chart-box' }, this.canvas);
    this.banner = h('div', { class: 'banner-slot' });
    this.header = h('div', { class: 'header-slot' });
    this.metrics = h('div', { class: 'metrics-slot' });
    this.table = h('div', { class: 'table-slot table-scroll' });
    this.completions = h('div', { class: 'table-scroll' });
    this.tokens = h('div');
    this.prompt = h('div');
    this.note = h('p', { id: 'interval-note', class: 'note' });
    const key = h(
      'ul',
      { class: 'chart-key', 'aria-label': 'How to read the chart' },
      h('li', null, h('span', { class: 'key-bar', 'aria-hidden': 'true' }), 'probability of the answer'),
      h('li', null, h('span', { class: 'key-whisker', 'aria-hidden': 'true' }, '├─┤'), 'interval: bounds (logprobs) or 95% CI (sampling)'),
      h('li', null, h('span', { class: 'key-share', 'aria-hidden': 'true' }, '◆'), 'share of the task among the examples'),
    );
    const distribution = section('distribution', 'Answer distribution', this.chartBox, key, this.table, this.note, this.metrics);
    const completions = section('completions', 'Top completions', this.completions);
    this.collapse = section('collapse', 'How the answer collapses at the first token', this.collapseNote, this.collapseBox, this.collapseRows);
    const tokens = section('tokens', 'Token by token', this.tokens);
    const prompt = section('prompt', 'Prompt', this.prompt);
    this.unmatched = section('unmatched', 'Unmatched samples');
    this.root = h('div', { class: 'run-view' }, this.banner, this.header, distribution.section, completions.section, this.collapse.section, this.unmatched.section, tokens.section, prompt.section);
  }

  /** Renders `record`; the root must already be in the document (the chart measures its box). */
  update(record: RunRecord, running: boolean, simulated: boolean, theme: ThemeColors, animate: boolean): void {
    const previous = this.record;
    this.record = record;
    replaceChildren(this.banner, simulated ? simulatedBanner() : null);
    replaceChildren(this.header, runHeader(record, running, this.actions));
    const series = distributionSeries(record);
    this.chartBox.style.height = `${chartHeight(series.rows.length)}px`;
    this.canvas.setAttribute('aria-label', distributionSummary(series));
    if (this.chart) this.chart.update(series, theme);
    else this.chart = new DistributionChart(this.canvas, series, theme, animate);
    replaceChildren(this.metrics, metricsList(record));
    replaceChildren(this.table, distributionTable(series, record.method));
    replaceChildren(this.completions, completionsTable(record));
    // Token and prompt views only change with the prompt or the steps; keep them (and their focus) otherwise.
    if (!previous || previous.id !== record.id || JSON.stringify(previous.tasks.map((t) => t.steps)) !== JSON.stringify(record.tasks.map((t) => t.steps))) {
      replaceChildren(this.tokens, tokenView(record));
    }
    if (!previous || previous.input.prompt !== record.input.prompt || JSON.stringify(previous.input.examples) !== JSON.stringify(record.input.examples) || previous.tasks.length !== record.tasks.length) {
      replaceChildren(this.prompt, promptView(record));
    }
    this.showCollapse(record, theme);
    const unmatched = unmatchedTable(record);
    this.unmatched.section.hidden = unmatched === null;
    replaceChildren(this.unmatched.body, unmatched);
    const note = intervalNote(record);
    this.note.hidden = note === undefined;
    this.note.textContent = note ?? '';
  }

  private showCollapse(record: RunRecord, theme: ThemeColors): void {
    const series = collapseSeries(record);
    this.collapse.section.hidden = series === undefined;
    if (!series) return;
    this.collapseNote.textContent = collapseSummary(series);
    this.collapseBox.style.height = `${chartHeight(series.tokens.length)}px`;
    if (this.collapseChart) this.collapseChart.update(series, theme);
    else this.collapseChart = new CollapseChart(this.collapseCanvas, series, theme);
    replaceChildren(this.collapseRows, collapseTable(series));
  }

  retheme(theme: ThemeColors): void {
    if (this.chart && this.record) this.chart.update(distributionSeries(this.record), theme, 'none');
    if (this.record) this.showCollapse(this.record, theme);
  }

  get distributionChart(): DistributionChart | undefined {
    return this.chart;
  }

  /** PNG (data: URL) of the distribution chart on the theme background, captioned with model and query. */
  png(theme: ThemeColors): string | undefined {
    if (!this.chart || !this.record) return undefined;
    const r = this.record;
    return chartPng(this.chart.chart, `${r.model} · ${r.method} · query “${r.input.query}${r.input.separator}”`, 'bar: probability   ├─┤ interval (bounds or 95% CI)   ◆ in-context share', theme, r.simulated);
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.collapseChart?.destroy();
    this.collapseChart = undefined;
    this.root.remove();
  }
}
