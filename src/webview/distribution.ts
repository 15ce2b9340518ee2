/** The distribution table (the chart's accessible twin, read by the E2E), the metrics and the completions. */
import type { RunRecord } from '../core/record';
import { h } from './dom';
import { formatKl, formatPercent, quoteAnswer, taskColorClass, taskColorMap, type DistributionSeries } from './format';
import { completionsCaption, entropyText, METRIC_HELP, type MetricHelp } from './verdict';

export function swatch(colorIndex: number | null): HTMLElement {
  return h('span', { class: `swatch ${colorIndex === null ? 'swatch-other' : taskColorClass(colorIndex)}`, 'aria-hidden': 'true' });
}

/** Answer text as code, whitespace made visible, the raw answer as the tooltip. */
export function answerCode(answer: string): HTMLElement {
  return h('code', { class: 'answer', title: JSON.stringify(answer) }, quoteAnswer(answer));
}

/**
 * `<table id="distribution-table">`: one row per task and a row `data-task-id="other"`, with the exact
 * numbers in data attributes (data-probability, data-lower, data-upper, data-share; data-ci-low/high
 * and data-count when sampled).
 */
export function distributionTable(series: DistributionSeries, method: RunRecord['method']): HTMLTableElement {
  const sampling = method === 'sampling';
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col' }, 'Task'),
    h('th', { scope: 'col' }, 'Answer'),
    h('th', { scope: 'col', class: 'num' }, 'Share'),
    h('th', { scope: 'col', class: 'num' }, sampling ? 'Frequency (95% CI)' : 'Probability'),
    sampling ? h('th', { scope: 'col', class: 'num' }, 'Count') : null,
  );
  const body = series.rows.map((row) => {
    const attrs: Record<string, string> = {
      'data-task-id': row.id,
      'data-answer': row.answer,
      'data-probability': String(row.probability),
      'data-lower': String(row.lower),
      'data-upper': String(row.upper),
      'data-share': String(row.share ?? 0),
      'data-exact': String(row.exact),
      class: row.id === 'other' ? 'row-other' : 'row-task',
    };
    if (row.ci95) {
      attrs['data-ci-low'] = String(row.ci95[0]);
      attrs['data-ci-high'] = String(row.ci95[1]);
    }
    if (row.count !== undefined) attrs['data-count'] = String(row.count);
    const kind = row.ci95 ? 'ci' : row.whisker ? 'interval' : 'point';
    return h(
      'tr',
      attrs,
      h(
        'th',
        { scope: 'row', class: 'task-cell' },
        swatch(row.colorIndex),
        h('span', { class: 'task-label' }, row.id === 'other' ? 'other' : row.label),
        row.id === 'other' ? h('span', { class: 'task-id' }, 'any other answer') : h('span', { class: 'task-id' }, row.id),
      ),
      h('td', null, row.id === 'other' ? h('span', { class: 'muted' }, '—') : answerCode(row.answer)),
      h('td', { class: 'num' }, row.share === null ? '—' : formatPercent(row.share)),
      h('td', { class: `num estimate estimate-${kind}`, title: kind === 'interval' ? 'Bounds: the exact value lies in this interval' : kind === 'ci' ? 'Sample frequency with its Wilson 95% confidence interval' : '' }, row.text),
      sampling ? h('td', { class: 'num' }, row.count !== undefined ? String(row.count) : '—') : null,
    );
  });
  return h(
    'table',
    { id: 'distribution-table', class: 'data-table' },
    h('caption', null, 'Probability of each task’s answer (the chart as a table)'),
    h('thead', null, head),
    h('tbody', null, body),
  );
}

/** A metric with its visible ⓘ help: what it means and what good looks like. */
function metric(id: string, label: string, value: string, raw: number | null, help: MetricHelp): HTMLElement {
  return h(
    'div',
    { class: 'metric' },
    h('dt', null, label, ' ', h('details', { class: 'metric-help' }, h('summary', { 'aria-label': `What ${label} means`, title: `What ${label} means` }, h('span', { class: 'help-icon', 'aria-hidden': 'true' }, 'i')), h('p', null, help.means), h('p', null, h('strong', null, 'Good: '), help.good))),
    h('dd', { id, 'data-value': raw === null ? '' : String(raw) }, value),
  );
}

export function metricsList(record: RunRecord): HTMLElement {
  const m = record.metrics;
  return h(
    'dl',
    { id: 'metrics', class: 'metrics' },
    metric('metric-kl', 'KL (paper)', formatKl(m.kl), m.kl, METRIC_HELP.kl),
    metric('metric-kl-normalized', 'KL (normalised)', formatKl(m.klNormalized), m.klNormalized, METRIC_HELP.klNormalized),
    metric('metric-r', 'r / K', `${m.r ?? '–'} / ${m.K}`, m.r, METRIC_HELP.r),
    metric('metric-entropy', 'Entropy', entropyText(m), m.taskMass < 1e-3 ? null : m.entropy, METRIC_HELP.entropy),
    metric('metric-task-mass', 'Task mass', formatPercent(m.taskMass), m.taskMass, METRIC_HELP.taskMass),
  );
}

/** `<table id="completions-table">`: the top-K completions, their probability and the tasks they answer. */
export function completionsTable(record: RunRecord): HTMLElement {
  if (record.completions.length === 0) return h('p', { class: 'muted', id: 'completions-empty' }, 'No completions were enumerated for this run.');
  const colors = taskColorMap(record);
  const labels = new Map(record.tasks.map((t) => [t.id, t.label]));
  const rows = record.completions.map((c, i) =>
    h(
      'tr',
      { 'data-text': c.text, 'data-probability': String(c.probability), 'data-tasks': c.tasks.join(' ') },
      h('td', { class: 'num rank' }, String(i + 1)),
      h('td', null, h('code', { class: 'answer', title: JSON.stringify(c.text) }, quoteAnswer(c.text))),
      h('td', { class: 'num' }, formatPercent(c.probability)),
      h(
        'td',
        null,
        c.tasks.length === 0
          ? h('span', { class: 'muted' }, 'no task')
          : c.tasks.map((id) => h('span', { class: 'task-tag', title: labels.get(id) ?? id }, swatch(colors.get(id) ?? null), id)),
      ),
    ),
  );
  return h(
    'table',
    { id: 'completions-table', class: 'data-table' },
    h('caption', null, completionsCaption(record)),
    h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, 'Completion'), h('th', { scope: 'col', class: 'num' }, 'Probability'), h('th', { scope: 'col' }, 'Answers task'))),
    h('tbody', null, rows),
  );
}

/** `#warnings-list`, shown right under the verdict; null without warnings. */
export function warningsList(record: RunRecord): HTMLElement | null {
  if (record.warnings.length === 0) return null;
  return h(
    'ul',
    { id: 'warnings-list', class: 'warnings', 'aria-label': 'Warnings' },
    record.warnings.map((w) =>
      h(
        'li',
        { class: `sev-${w.severity}`, 'data-code': w.code, 'data-line': String(w.line) },
        h('span', { class: 'sev-label' }, w.severity),
        w.line > 1 ? h('span', { class: 'muted' }, ` line ${w.line}: `) : ' ',
        w.message,
      ),
    ),
  );
}

/** The samples that answer no task; null when there are none. */
export function unmatchedTable(record: RunRecord): HTMLElement | null {
  if (!record.unmatched || record.unmatched.length === 0) return null;
  const total = record.unmatched.reduce((a, u) => a + u.count, 0);
  return h(
    'table',
    { id: 'unmatched-table', class: 'data-table compact' },
    h('caption', null, `Unmatched samples (${total}): completions that answer no task`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Sample'), h('th', { scope: 'col', class: 'num' }, 'Count'))),
    h(
      'tbody',
      null,
      record.unmatched.map((u) => h('tr', { 'data-text': u.text, 'data-count': String(u.count) }, h('td', null, h('code', { class: 'answer', title: JSON.stringify(u.text) }, quoteAnswer(u.text))), h('td', { class: 'num' }, String(u.count)))),
    ),
  );
}
