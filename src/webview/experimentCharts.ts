/**
 * Chart.js charts of the experiment views: line charts (E[r] / task mass against K, probability of
 * task 1 against its share) with interval whiskers drawn by the `spErrorBars` plugin and a dashed
 * reference line, and the KL bar chart. Registers only the line parts on top of charts.ts's bar set.
 * Updates happen in place (same Chart instance, datasets patched), so live runs do not flicker.
 */
import { Chart, type ChartType, type LegendItem, type Plugin, type TooltipItem } from 'chart.js';
import { applyDefaults, register as registerBars, tooltipTheme } from './charts';
import type { KlBars, SeriesLine, XY } from './experimentSeries';
import { formatKl, formatTick, withAlpha } from './format';
import type { ThemeColors } from './theme';

/** How the `spLines` plugin draws one dataset of a line chart. */
export interface LineStyle {
  color: string;
  width: number;
  dash: number[];
  /** Point marker: circle, diamond, or none (the reference line). */
  marker: 'circle' | 'diamond' | 'none';
  radius: number;
  low: (number | null)[];
  high: (number | null)[];
}

export interface SpLinesOptions {
  /** Styles by dataset index; datasets without one are not drawn. */
  sets: Record<number, LineStyle>;
  whiskerWidth: number;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    spLines?: SpLinesOptions;
  }
}

/**
 * Line charts without Chart.js's line controller (it would cost ~13 KB of the bundle): the data live
 * in invisible bars on a linear x axis (which keeps hover tooltips and the legend), and this plugin
 * draws the polylines, point markers and vertical 95% interval whiskers. A null y breaks the line.
 */
export const linesPlugin: Plugin<'bar', SpLinesOptions> = {
  id: 'spLines',
  afterDatasetsDraw(chart, _args, opts) {
    const yScale = chart.scales['y'];
    if (!yScale || !opts || !opts.sets) return;
    const ctx = chart.ctx;
    const area = chart.chartArea;
    ctx.save();
    ctx.beginPath();
    ctx.rect(area.left - 6, area.top - 6, area.right - area.left + 12, area.bottom - area.top + 12);
    ctx.clip();
    for (const [key, style] of Object.entries(opts.sets)) {
      const datasetIndex = Number(key);
      if (!chart.isDatasetVisible(datasetIndex)) continue;
      const data = (chart.data.datasets[datasetIndex]?.data ?? []) as unknown as (XY | null)[];
      const meta = chart.getDatasetMeta(datasetIndex);
      const pts: ({ x: number; y: number } | null)[] = meta.data.map((el, i) => {
        const value = data[i]?.y;
        if (value === null || value === undefined) return null;
        const { x } = el.getProps(['x'], true) as { x: number };
        return Number.isFinite(x) ? { x, y: yScale.getPixelForValue(value) } : null;
      });
      ctx.strokeStyle = style.color;
      ctx.fillStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.setLineDash(style.dash);
      ctx.beginPath();
      let open = false;
      for (const p of pts) {
        if (!p) {
          open = false;
          continue;
        }
        if (open) ctx.lineTo(p.x, p.y);
        else ctx.moveTo(p.x, p.y);
        open = true;
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.lineWidth = opts.whiskerWidth;
      pts.forEach((p, i) => {
        if (!p) return;
        const low = style.low[i];
        const high = style.high[i];
        if (low !== null && low !== undefined && high !== null && high !== undefined) {
          const y1 = yScale.getPixelForValue(low);
          const y2 = yScale.getPixelForValue(high);
          if (Math.abs(y1 - y2) >= 1) {
            ctx.beginPath();
            ctx.moveTo(p.x, y1);
            ctx.lineTo(p.x, y2);
            ctx.moveTo(p.x - 4, y1);
            ctx.lineTo(p.x + 4, y1);
            ctx.moveTo(p.x - 4, y2);
            ctx.lineTo(p.x + 4, y2);
            ctx.stroke();
          }
        }
        if (style.marker === 'none') return;
        const r = style.radius;
        ctx.beginPath();
        if (style.marker === 'circle') ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        else {
          ctx.moveTo(p.x, p.y - r - 1);
          ctx.lineTo(p.x + r + 1, p.y);
          ctx.lineTo(p.x, p.y + r + 1);
          ctx.lineTo(p.x - r - 1, p.y);
          ctx.closePath();
        }
        ctx.fill();
      });
    }
    ctx.restore();
  },
};

let registered = false;
function register(): void {
  if (registered) return;
  registerBars();
  Chart.register(linesPlugin);
  registered = true;
}

export interface AxisSpec {
  min: number;
  max: number;
  title: string;
  /** Probability axis (ticks as percent) or a count axis (integer ticks). */
  percent: boolean;
  /** Tick step (count axes). */
  step?: number;
}

function axis(theme: ThemeColors, spec: AxisSpec) {
  return {
    type: 'linear' as const,
    min: spec.min,
    max: spec.max,
    ticks: {
      color: theme.foreground,
      ...(spec.step !== undefined ? { stepSize: spec.step } : {}),
      callback: (value: number | string) => (spec.percent ? formatTick(Number(value)) : Number.isInteger(Number(value)) ? String(value) : ''),
      maxTicksLimit: 11,
    },
    grid: { color: withAlpha(theme.grid, theme.highContrast ? 0.5 : 0.6), lineWidth: theme.highContrast ? 1 : 0.5 },
    border: { color: theme.border, width: theme.highContrast ? 2 : 1 },
    title: { display: true, text: spec.title, color: theme.muted },
  };
}

export interface LineChartSpec {
  lines: SeriesLine[];
  reference: { label: string; points: XY[] } | null;
  x: AxisSpec;
  y: AxisSpec;
  /** Tooltip text of a value. */
  formatX(x: number): string;
  formatY(y: number): string;
}

type LineData = XY[];

function lineColor(theme: ThemeColors, line: SeriesLine): string {
  return theme.tasks[line.colorIndex] ?? theme.other;
}

function lineLegend(theme: ThemeColors) {
  return {
    display: true,
    position: 'top' as const,
    labels: {
      color: theme.foreground,
      boxWidth: 26,
      boxHeight: 0,
      generateLabels(chart: Chart): LegendItem[] {
        const sets = (chart.options.plugins?.spLines?.sets ?? {}) as Record<number, LineStyle>;
        return chart.data.datasets.map((ds, i) => {
          const st = sets[i];
          return {
            text: ds.label ?? '',
            datasetIndex: i,
            hidden: !chart.isDatasetVisible(i),
            fillStyle: st?.color ?? theme.muted,
            strokeStyle: st?.color ?? theme.muted,
            lineWidth: st ? st.width + 1 : 2,
            lineDash: st?.dash ?? [],
            fontColor: theme.foreground,
          };
        });
      },
    },
  };
}

/** A line chart: one (invisible-bar) dataset per line, then the dashed reference line last; drawn by spLines. */
export class ExperimentLineChart {
  readonly chart: Chart<'bar', LineData>;
  private spec: LineChartSpec;

  constructor(canvas: HTMLCanvasElement, spec: LineChartSpec, theme: ThemeColors, animate: boolean) {
    register();
    applyDefaults(theme);
    this.spec = spec;
    const self = this;
    this.chart = new Chart<'bar', LineData>(canvas, {
      type: 'bar',
      data: { datasets: this.datasets(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: animate ? { duration: 200 } : false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: this.scales(spec, theme),
        plugins: {
          legend: lineLegend(theme),
          tooltip: {
            ...tooltipTheme(theme),
            filter: (item: TooltipItem<'bar'>) => item.datasetIndex < self.spec.lines.length && (item.raw as XY | undefined)?.y !== null,
            callbacks: {
              label(item: TooltipItem<'bar'>) {
                const line = self.spec.lines[item.datasetIndex];
                const point = item.raw as XY;
                if (!line) return '';
                const lo = line.low[item.dataIndex];
                const hi = line.high[item.dataIndex];
                const interval = lo !== null && lo !== undefined && hi !== null && hi !== undefined && Math.abs(hi - lo) > 1e-9 ? ` (95% CI ${self.spec.formatY(lo)}–${self.spec.formatY(hi)})` : '';
                return `${line.label}: ${point.y === null ? 'no data' : self.spec.formatY(point.y)}${interval}`;
              },
              title(items: TooltipItem<'bar'>[]) {
                const raw = items[0]?.raw as XY | undefined;
                return raw ? self.spec.formatX(raw.x) : '';
              },
            },
          },
          spLines: this.styles(spec, theme),
        },
      },
    });
  }

  private scales(spec: LineChartSpec, theme: ThemeColors) {
    return { x: { ...axis(theme, spec.x), offset: false }, y: axis(theme, spec.y) };
  }

  private datasets(spec: LineChartSpec) {
    const all = [...spec.lines.map((l) => ({ label: l.label, points: l.points })), ...(spec.reference ? [spec.reference] : [])];
    // Invisible bars: they carry the data, the hover targets and the legend entries.
    return all.map((d) => ({ label: d.label, data: d.points.map((p) => ({ x: p.x, y: p.y })), backgroundColor: 'transparent', borderWidth: 0, grouped: false, barPercentage: 0.6, categoryPercentage: 1 }));
  }

  private styles(spec: LineChartSpec, theme: ThemeColors): SpLinesOptions {
    const sets: Record<number, LineStyle> = {};
    const width = theme.highContrast ? 3 : 2;
    spec.lines.forEach((line, i) => {
      const right = line.run === 'right';
      sets[i] = { color: lineColor(theme, line), width, dash: right ? [8, 4] : [], marker: right ? 'diamond' : 'circle', radius: theme.highContrast ? 4 : 3, low: line.low, high: line.high };
    });
    if (spec.reference) sets[spec.lines.length] = { color: theme.muted, width: theme.highContrast ? 2 : 1.5, dash: [5, 5], marker: 'none', radius: 0, low: [], high: [] };
    return { sets, whiskerWidth: theme.highContrast ? 2 : 1.25 };
  }

  /** Patches the datasets in place (same objects when the dataset count is unchanged) and redraws. */
  update(spec: LineChartSpec, theme: ThemeColors, mode?: 'none'): void {
    this.spec = spec;
    applyDefaults(theme);
    const chart = this.chart;
    const next = this.datasets(spec);
    const current = chart.data.datasets;
    next.forEach((ds, i) => {
      const existing = current[i];
      if (existing) Object.assign(existing, ds);
      else current.push(ds);
    });
    current.splice(next.length);
    chart.options.scales = this.scales(spec, theme);
    if (chart.options.plugins) {
      chart.options.plugins.spLines = this.styles(spec, theme);
      chart.options.plugins.tooltip = { ...chart.options.plugins.tooltip, ...tooltipTheme(theme) };
      chart.options.plugins.legend = lineLegend(theme);
    }
    chart.update(mode);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** Mean KL per model: two datasets (unnormalised, normalised); a null mean is a gap. */
export class KlBarChart {
  readonly chart: Chart<'bar', (number | null)[], string>;
  private bars: KlBars;

  constructor(canvas: HTMLCanvasElement, bars: KlBars, theme: ThemeColors, animate: boolean) {
    register();
    applyDefaults(theme);
    this.bars = bars;
    this.chart = new Chart<'bar', (number | null)[], string>(canvas, {
      type: 'bar',
      data: { labels: [...bars.labels], datasets: this.datasets(bars, theme) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: animate ? { duration: 250 } : false,
        scales: this.scales(theme),
        plugins: {
          legend: { display: true, position: 'top', labels: { color: theme.foreground, boxWidth: 14 } },
          tooltip: tooltipTheme(theme),
        },
      },
    });
  }

  private scales(theme: ThemeColors) {
    return {
      x: { ticks: { color: theme.foreground }, grid: { display: false }, border: { color: theme.border, width: theme.highContrast ? 2 : 1 } },
      y: {
        min: 0,
        ticks: { color: theme.foreground, maxTicksLimit: 8 },
        grid: { color: withAlpha(theme.grid, theme.highContrast ? 0.5 : 0.6), lineWidth: theme.highContrast ? 1 : 0.5 },
        border: { color: theme.border, width: theme.highContrast ? 2 : 1 },
        title: { display: true, text: 'mean KL (nats)', color: theme.muted },
      },
    };
  }

  private datasets(bars: KlBars, theme: ThemeColors) {
    const colors = bars.colorIndex.map((c) => theme.tasks[c] ?? theme.other);
    return [
      {
        label: 'KL (paper)',
        data: [...bars.kl],
        backgroundColor: colors.map((c) => withAlpha(c, theme.highContrast ? 0.9 : 0.8)),
        borderColor: colors.map((c) => (theme.highContrast ? theme.foreground : c)),
        borderWidth: theme.highContrast ? 2 : 1,
      },
      {
        label: 'KL (normalised)',
        data: [...bars.klNormalized],
        backgroundColor: colors.map((c) => withAlpha(c, theme.highContrast ? 0.45 : 0.3)),
        borderColor: colors.map((c) => (theme.highContrast ? theme.foreground : c)),
        borderWidth: theme.highContrast ? 2 : 1,
      },
    ];
  }

  update(bars: KlBars, theme: ThemeColors, mode?: 'none'): void {
    this.bars = bars;
    applyDefaults(theme);
    const chart = this.chart;
    chart.data.labels = [...bars.labels];
    const next = this.datasets(bars, theme);
    next.forEach((ds, i) => {
      const existing = chart.data.datasets[i];
      if (existing) Object.assign(existing, ds);
      else chart.data.datasets.push(ds);
    });
    chart.options.scales = this.scales(theme);
    if (chart.options.plugins) {
      chart.options.plugins.tooltip = { ...chart.options.plugins.tooltip, ...tooltipTheme(theme) };
      chart.options.plugins.legend = { ...chart.options.plugins.legend, labels: { color: theme.foreground, boxWidth: 14 } };
    }
    chart.update(mode);
  }

  destroy(): void {
    this.chart.destroy();
  }
}
