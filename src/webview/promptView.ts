/** The prompt as sent, one line per example, coloured by detected task, with a legend. */
import type { RunRecord } from '../core/record';
import { swatch } from './distribution';
import { h } from './dom';
import { formatPercent, promptLines, promptMatchesExamples, taskColorClass, taskColorMap } from './format';

export function promptView(record: RunRecord): HTMLElement {
  const input = record.input;
  const colors = taskColorMap(record);
  const labels = new Map(record.tasks.map((t) => [t.id, t.label]));
  const lines = promptLines(input);
  const unmatched = lines.filter((l) => l.kind === 'example' && l.tasks.length === 0).length;
  const ambiguous = lines.filter((l) => l.tasks.length > 1).length;
  const sep = input.separator === '\t' ? '⇥' : input.separator;

  const legend = h(
    'ul',
    { class: 'legend', id: 'prompt-legend', 'aria-label': 'Tasks detected in the examples' },
    record.tasks.map((t, i) =>
      h('li', { 'data-task-id': t.id }, swatch(i), h('span', { class: 'task-label' }, t.label), h('span', { class: 'task-id' }, t.id), h('span', { class: 'muted' }, ` ${t.examples} examples · ${formatPercent(t.share)}`)),
    ),
    unmatched > 0 ? h('li', { class: 'legend-unmatched' }, h('span', { class: 'swatch swatch-unmatched', 'aria-hidden': 'true' }), `unmatched (${unmatched})`) : null,
    ambiguous > 0 ? h('li', { class: 'legend-ambiguous' }, h('span', { class: 'swatch swatch-ambiguous', 'aria-hidden': 'true' }), `several tasks (${ambiguous})`) : null,
    h('li', { class: 'legend-query' }, h('span', { class: 'swatch swatch-query', 'aria-hidden': 'true' }), 'query'),
  );

  const list = h(
    'ol',
    { class: 'prompt-lines', id: 'prompt-lines', 'aria-label': 'Prompt lines' },
    lines.map((line) => {
      const first = line.tasks[0];
      const classes = ['prompt-line', `kind-${line.kind}`];
      if (line.kind === 'query') classes.push('query');
      else if (first === undefined) classes.push('unmatched');
      else {
        classes.push(taskColorClass(colors.get(first) ?? 0));
        if (line.tasks.length > 1) classes.push('ambiguous');
      }
      const tag =
        line.kind === 'query'
          ? h('span', { class: 'line-tag tag-query' }, 'query')
          : line.tasks.length === 0
            ? h('span', { class: 'line-tag tag-unmatched' }, 'no task')
            : h(
                'span',
                { class: 'line-tag' },
                line.tasks.map((id) => h('span', { class: 'task-tag', title: labels.get(id) ?? id }, swatch(colors.get(id) ?? null), id)),
              );
      return h(
        'li',
        {
          class: classes.join(' '),
          'data-kind': line.kind,
          'data-line': String(line.number),
          'data-tasks': line.tasks.join(' '),
          'aria-label': `${line.kind === 'query' ? 'Query' : `Example ${line.number}`}${line.kind === 'example' ? `, ${line.tasks.length === 0 ? 'no task' : line.tasks.map((id) => labels.get(id) ?? id).join(' and ')}` : ''}`,
        },
        h('span', { class: 'line-no', 'aria-hidden': 'true' }, String(line.number)),
        h('span', { class: 'line-text' }, h('span', { class: 'line-input' }, line.input), h('span', { class: 'line-sep' }, sep), h('span', { class: 'line-output' }, line.output)),
        tag,
      );
    }),
  );

  const exact = promptMatchesExamples(input);
  return h(
    'div',
    { id: 'prompt-view', class: 'prompt-view' },
    legend,
    h('div', { class: 'prompt-scroll', tabindex: '0', 'aria-label': 'Prompt as sent' }, list),
    exact
      ? null
      : h(
          'details',
          { class: 'raw-prompt' },
          h('summary', null, 'The exact prompt sent (examples span several lines)'),
          h('pre', { id: 'raw-prompt' }, input.prompt),
        ),
  );
}
