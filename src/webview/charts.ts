/**
 * Chart.js charts of the panel (tree-shaken: bar controller, category + linear scales, tooltip,
 * legend) and the `spMarkers` plugin that draws interval whiskers and in-context share markers.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartType, type Plugin, type TooltipItem } from 'chart.js';
import { formatPercent, formatTick, withAlpha, type ComparisonSeries, type DistributionSeries } from './format';
import type { ThemeColors } from './theme';

/** Whiskers and share markers of one dataset, by data index. */
export interface MarkerSet {
  low: (number | null)[];
  high: (number | null)[];
  share: (number | null)[];
}

export interface SpMarkersOptions {
  /** Marker sets by dataset index. */
  sets: Record<number, MarkerSet>;
  ink: string;
  lineWidth: number;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    spMarkers?: SpMarkersOptions;
  }
}

/** Draws interval whiskers (├──┤) across each bar and a share marker (│ with a diamond) at the share. */
export const markersPlugin: Plugin<'bar', SpMarkersOptions> = {
  id: 'spMarkers',
  afterDatasetsDraw(chart, _args, opts) {
    const x = chart.scales['x'];
    if (!x || !opts || !opts.sets) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.ink;
    ctx.fillStyle = opts.ink;
    ctx.lineWidth = opts.lineWidth;
    for (const [key, set] of Object.entries(opts.sets)) {
      const datasetIndex = Number(key);
      if (!chart.isDatasetVisible(datasetIndex)) continue;
      const meta = chart.getDatasetMeta(datasetIndex);
      meta.data.forEach((element, i) => {
        const { y, height } = element.getProps(['y', 'height'], true) as { y: number; height: number };
        if (!Number.isFinite(y) || !Number.isFinite(height)) return;
        const half = Math.max(3, Math.min(10, height / 4));
        const low = set.low[i];
        const high = set.high[i];
        if (low !== null && low !== undefined && high !== null && high !== undefined) {
          const x1 = x.getPixelForValue(low);
          const x2 = x.getPixelForValue(high);
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(x1, y);
          ctx.lineTo(x2, y);
          ctx.moveTo(x1, y - half);
          ctx.lineTo(x1, y + half);
          ctx.moveTo(x2, y - half);
          ctx.lineTo(x2, y + half);
          ctx.stroke();
        }
        const share = set.share[i];
        if (share !== null && share !== undefined) {
          const xs = x.getPixelForValue(share);
          const top = y - height / 2 - 2;
          const bottom = y + height / 2 + 2;
          ctx.setLineDash([3, 2]);
          ctx.beginPath();
          ctx.moveTo(xs, top);
          ctx.lineTo(xs, bottom);
          ctx.stroke();
          ctx.setLineDash([]);
          const d = 4 + opts.lineWidth;
          ctx.beginPath();
          ctx.moveTo(xs, top - d);
          ctx.lineTo(xs + d, top);
          ctx.lineTo(xs, top + d);
          ctx.lineTo(xs - d, top);
          ctx.closePath();
          ctx.fill();
        }
      });
    }
    ctx.restore();
  },
};

let registered = false;
export function register(): void {
  if (registered) return;
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend, markersPlugin);
  registered = true;
}

export function applyDefaults(theme: ThemeColors): void {
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = theme.fontSize;
}

const percentTick = (value: number | string): string => formatTick(Number(value));

function commonScales(theme: ThemeColors, max: number) {
  return {
    x: {
      min: 0,
      max,
      ticks: { color: theme.foreground, callback: percentTick, maxTicksLimit: 11 },
      grid: { color: withAlpha(theme.grid, theme.highContrast ? 0.5 : 0.6), lineWidth: theme.highContrast ? 1 : 0.5 },
      border: { color: theme.border, width: theme.highContrast ? 2 : 1 },
      title: { display: true, text: 'probability', color: theme.muted },
    },
    y: {
      ticks: { color: theme.foreground, autoSkip: false },
      grid: { display: false },
      border: { color: theme.border, width: theme.highContrast ? 2 : 1 },
    },
  };
}

export function tooltipTheme(theme: ThemeColors) {
  return {
    backgroundColor: theme.background,
    titleColor: theme.foreground,
    bodyColor: theme.foreground,
    footerColor: theme.muted,
    borderColor: theme.highContrast ? theme.foreground : theme.border,
    borderWidth: theme.highContrast ? 2 : 1,
    titleFont: { family: theme.fontFamily, weight: 'bold' as const },
    bodyFont: { family: theme.fontFamily },
    footerFont: { family: theme.fontFamily },
  };
}

/** Height in CSS pixels for a horizontal bar chart of `rows` categories. */
export function chartHeight(rows: number, grouped = false): number {
  return 70 + rows * (grouped ? 64 : 48);
}

function barColors(series: DistributionSeries, theme: ThemeColors) {
  const solid = series.colorIndex.map((c) => (c === null ? theme.other : (theme.tasks[c] ?? theme.other)));
  return {
    backgroundColor: solid.map((c) => withAlpha(c, theme.highContrast ? 0.9 : 0.8)),
    borderColor: solid.map((c) => (theme.highContrast ? theme.foreground : c)),
    borderWidth: theme.highContrast ? 2 : 1,
  };
}

/** The distribution chart: one horizontal bar per task answer plus "other". */
export class DistributionChart {
  readonly chart: Chart<'bar', number[], string[]>;
  private series: DistributionSeries;

  constructor(canvas: HTMLCanvasElement, series: DistributionSeries, theme: ThemeColors, animate: boolean) {
    register();
    applyDefaults(theme);
    this.series = series;
    const self = this;
    this.chart = new Chart<'bar', number[], string[]>(canvas, {
      type: 'bar',
      data: { labels: series.labels, datasets: [{ label: 'probability', data: series.values, barPercentage: 0.75, categoryPercentage: 0.9, ...barColors(series, theme) }] },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: animate ? { duration: 250 } : false,
        scales: commonScales(theme, series.axisMax),
        plugins: {
          legend: { display: false },
          tooltip: {
            ...tooltipTheme(theme),
            callbacks: {
              title(items: TooltipItem<'bar'>[]) {
                return rowTitle(self.series.rows[items[0]?.dataIndex ?? -1]);
              },
              label(item: TooltipItem<'bar'>) {
                const row = self.series.rows[item.dataIndex];
                return row ? `probability ${row.text}` : '';
              },
              afterLabel(item: TooltipItem<'bar'>) {
                const row = self.series.rows[item.dataIndex];
                return row && row.share !== null ? `in-context share ${formatPercent(row.share)}` : '';
              },
            },
          },
          spMarkers: this.markerOptions(theme),
        },
      },
    });
  }

  private markerOptions(theme: ThemeColors): SpMarkersOptions {
    return {
      sets: { 0: { low: this.series.whiskerLow, high: this.series.whiskerHigh, share: this.series.shares } },
      ink: theme.ink,
      lineWidth: theme.highContrast ? 2.5 : 1.5,
    };
  }

  update(series: DistributionSeries, theme: ThemeColors, mode?: 'none'): void {
    this.series = series;
    applyDefaults(theme);
    const chart = this.chart;
    chart.data.labels = series.labels;
    const ds = chart.data.datasets[0];
    if (ds) Object.assign(ds, { data: series.values, ...barColors(series, theme) });
    chart.options.scales = commonScales(theme, series.axisMax);
    if (chart.options.plugins) {
      chart.options.plugins.spMarkers = this.markerOptions(theme);
      chart.options.plugins.tooltip = { ...chart.options.plugins.tooltip, ...tooltipTheme(theme) };
    }
    chart.update(mode);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

export interface ComparisonNames {
  left: string;
  right: string;
}

/** The comparison chart: per task answer, a left bar and a right bar. */
export class ComparisonChart {
  readonly chart: Chart<'bar', (number | null)[], string[]>;
  private series: ComparisonSeries;

  constructor(canvas: HTMLCanvasElement, series: ComparisonSeries, names: ComparisonNames, theme: ThemeColors, animate: boolean) {
    register();
    applyDefaults(theme);
    this.series = series;
    const self = this;
    this.chart = new Chart<'bar', (number | null)[], string[]>(canvas, {
      type: 'bar',
      data: { labels: series.labels, datasets: this.datasets(series, names, theme) },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: animate ? { duration: 250 } : false,
        scales: commonScales(theme, series.axisMax),
        plugins: {
          legend: { display: true, position: 'top', labels: { color: theme.foreground, boxWidth: 14 } },
          tooltip: {
            ...tooltipTheme(theme),
            callbacks: {
              title(items: TooltipItem<'bar'>[]) {
                return rowTitle(self.series.rows[items[0]?.dataIndex ?? -1]);
              },
              label(item: TooltipItem<'bar'>) {
                const row = self.series.rows[item.dataIndex];
                if (!row) return '';
                const left = item.datasetIndex === 0;
                const text = left ? row.leftText : row.rightText;
                const share = left ? row.leftShare : row.rightShare;
                return `${item.dataset.label ?? ''}: ${text}${share !== null ? ` (share ${formatPercent(share)})` : ''}`;
              },
            },
          },
          spMarkers: this.markerOptions(theme),
        },
      },
    });
  }

  private datasets(series: ComparisonSeries, names: ComparisonNames, theme: ThemeColors) {
    const style = (color: string) => ({
      backgroundColor: withAlpha(color, theme.highContrast ? 0.9 : 0.8),
      borderColor: theme.highContrast ? theme.foreground : color,
      borderWidth: theme.highContrast ? 2 : 1,
      barPercentage: 0.85,
      categoryPercentage: 0.8,
    });
    return [
      { label: names.left, data: series.left, ...style(theme.left) },
      { label: names.right, data: series.right, ...style(theme.right) },
    ];
  }

  private markerOptions(theme: ThemeColors): SpMarkersOptions {
    const rows = this.series.rows;
    return {
      sets: {
        0: { low: rows.map((r) => r.leftWhisker?.[0] ?? null), high: rows.map((r) => r.leftWhisker?.[1] ?? null), share: rows.map((r) => r.leftShare) },
        1: { low: rows.map((r) => r.rightWhisker?.[0] ?? null), high: rows.map((r) => r.rightWhisker?.[1] ?? null), share: rows.map((r) => r.rightShare) },
      },
      ink: theme.ink,
      lineWidth: theme.highContrast ? 2.5 : 1.5,
    };
  }

  update(series: ComparisonSeries, names: ComparisonNames, theme: ThemeColors, mode?: 'none'): void {
    this.series = series;
    applyDefaults(theme);
    const chart = this.chart;
    chart.data.labels = series.labels;
    chart.data.datasets = this.datasets(series, names, theme);
    chart.options.scales = commonScales(theme, series.axisMax);
    if (chart.options.plugins) {
      chart.options.plugins.spMarkers = this.markerOptions(theme);
      chart.options.plugins.tooltip = { ...chart.options.plugins.tooltip, ...tooltipTheme(theme) };
      chart.options.plugins.legend = { ...chart.options.plugins.legend, labels: { color: theme.foreground, boxWidth: 14 } };
    }
    chart.update(mode);
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** The mark on PNGs of runs on the test double. */
export const SIMULATED_MARK = 'SIMULATED — Ollama test double, not a real model';

/**
 * PNG of a chart on the theme background (the canvas itself is transparent), rendered at 2× (or
 * the screen's ratio if higher), with a caption line above it, a key line below and, for runs on
 * the test double, the SIMULATED mark. Any running animation is finished first.
 */
export function chartPng(chart: Chart, caption: string, key: string, theme: ThemeColors, simulated = false): string {
  const previousRatio = chart.options.devicePixelRatio;
  chart.options.devicePixelRatio = Math.max(2, window.devicePixelRatio || 1);
  chart.stop();
  chart.resize();
  chart.update('none');
  try {
    return drawPng(chart, simulated ? `${caption}   ·   ${SIMULATED_MARK}` : caption, key, theme);
  } finally {
    chart.options.devicePixelRatio = previousRatio;
    chart.resize();
    chart.update('none');
  }
}

function drawPng(chart: Chart, caption: string, key: string, theme: ThemeColors): string {
  const source = chart.canvas;
  const ratio = chart.currentDevicePixelRatio || 1;
  const pad = Math.round(12 * ratio);
  const line = Math.round(28 * ratio);
  const top = caption ? line : 0;
  const bottom = key ? line : 0;
  const out = document.createElement('canvas');
  out.width = source.width + 2 * pad;
  out.height = source.height + 2 * pad + top + bottom;
  const ctx = out.getContext('2d');
  if (!ctx) return source.toDataURL('image/png');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.textBaseline = 'middle';
  if (caption) {
    ctx.fillStyle = theme.foreground;
    ctx.font = `${Math.round(theme.fontSize * 1.1 * ratio)}px ${theme.fontFamily}`;
    ctx.fillText(caption, pad, pad + top / 2, out.width - 2 * pad);
  }
  ctx.drawImage(source, pad, pad + top);
  if (key) {
    ctx.fillStyle = theme.muted;
    ctx.font = `${Math.round(theme.fontSize * 0.95 * ratio)}px ${theme.fontFamily}`;
    ctx.fillText(key, pad, pad + top + source.height + bottom / 2, out.width - 2 * pad);
  }
  return out.toDataURL('image/png');
}

/** Tooltip title of a chart row: the task (label and id), or what "other" means. */
function rowTitle(row: { id: string; label: string } | undefined): string {
  if (!row) return '';
  return row.id === 'other' ? 'other (any other answer)' : `${row.label} (${row.id})`;
}
