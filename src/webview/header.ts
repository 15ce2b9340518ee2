/** Run header: model, server, method, options, timing, status, errors, and the action buttons. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { RunRecord } from '../core/record';
import { h, type Child } from './dom';
import { warningsList } from './distribution';
import { formatDuration, methodSummary, optionsSummary, shortDigest } from './format';
import { runVerdict } from './verdict';

export const SIMULATED_TEXT = 'Simulated model: results come from the Ollama test double (scripted distributions), not from a real model.';

export function simulatedBanner(): HTMLElement {
  return h('div', { id: 'simulated-banner', class: 'banner banner-simulated', role: 'note' }, h('strong', null, 'Simulated model: '), 'results come from the Ollama test double (scripted distributions), not from a real model.');
}

function statusLabel(record: Pick<RunRecord, 'status'>, running: boolean): string {
  if (running) return 'running…';
  switch (record.status) {
    case 'complete':
      return 'complete';
    case 'cancelled':
      return 'cancelled: partial results';
    case 'failed':
      return 'failed';
  }
}

export function statusBadge(record: Pick<RunRecord, 'status'>, running: boolean): HTMLElement {
  const state = running ? 'running' : record.status;
  return h('span', { class: `status-badge status-${state}`, 'data-status': state }, statusLabel(record, running));
}

/** Local date and time of an ISO timestamp; the raw string when it does not parse. */
export function formatCreated(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function meta(label: string, value: Child, attrs?: Record<string, string>): HTMLElement[] {
  return [h('div', { class: 'fact' }, h('dt', null, label), h('dd', attrs ?? null, value))];
}

/** The description list of a run's facts (shared by the single-run and the comparison headers). */
export function runFacts(record: RunRecord, compact = false): HTMLElement {
  const facts: HTMLElement[] = [
    ...meta('Digest', h('code', { title: record.modelDigest ?? '' }, shortDigest(record.modelDigest)), { 'data-field': 'digest' }),
    ...meta('Ollama', `${record.server.version ?? '?'}${record.server.logprobs ? '' : ' (no logprobs)'}`, { 'data-field': 'ollama' }),
    ...meta('Method', methodSummary(record), { 'data-field': 'method' }),
    ...meta('Options', optionsSummary(record), { 'data-field': 'options' }),
    ...meta('Duration', formatDuration(record.durationMs), { 'data-field': 'duration' }),
    ...meta('Requests', String(record.requests), { 'data-field': 'requests' }),
    ...meta('Created', h('time', { datetime: record.createdAt }, formatCreated(record.createdAt)), { 'data-field': 'created' }),
  ];
  if (!compact) {
    facts.push(...meta('Server', record.server.host, { 'data-field': 'host' }));
    if (record.input.source) facts.push(...meta('Source', record.input.source, { 'data-field': 'source' }));
  }
  return h('dl', { class: 'facts' }, facts);
}

/** Error box of a failed or cancelled run: the message and what to do next. */
export function runErrorBox(record: Pick<RunRecord, 'status' | 'error'>, id = 'run-error'): HTMLElement | null {
  if (!record.error) return null;
  const kind = record.status === 'failed' ? 'error' : 'warning';
  return h(
    'div',
    { class: `message-box message-${kind}`, role: kind === 'error' ? 'alert' : 'status', id },
    h('p', { class: 'message-title' }, record.status === 'failed' ? 'The run failed: ' : 'The run stopped: ', record.error.message),
    record.error.nextStep ? h('p', { class: 'message-next' }, h('strong', null, 'Next step: '), record.error.nextStep) : null,
  );
}

/** The one-sentence verdict (`#run-verdict`), or nothing when no number was measured. */
export function verdictLine(record: RunRecord, running: boolean): HTMLElement | null {
  const text = runVerdict(record, running);
  return text ? h('p', { id: 'run-verdict', class: 'verdict', role: 'status' }, text) : null;
}

export interface HeaderActions {
  rerun(): void;
  exportAs(format: 'png' | 'csv' | 'json'): void;
  compareWith(): void;
  openSource(): void;
}

function button(id: string, label: string, onClick: () => void, opts: { secondary?: boolean; disabled?: boolean; icon?: string; title?: string } = {}): HTMLElement {
  const el = h('vscode-button', {
    id,
    secondary: opts.secondary ?? false,
    disabled: opts.disabled ?? false,
    title: opts.title,
    icon: opts.icon && hasCodicons() ? opts.icon : undefined,
  });
  el.textContent = label;
  el.addEventListener('click', () => {
    if (!el.hasAttribute('disabled')) onClick();
  });
  return el;
}

/** Codicons need their stylesheet on the page (`<link id="vscode-codicon-stylesheet">`); without it, no icons. */
function hasCodicons(): boolean {
  return document.getElementById('vscode-codicon-stylesheet') !== null;
}

export function runHeader(record: RunRecord, running: boolean, actions: HeaderActions): HTMLElement {
  const busy = running;
  return h(
    'header',
    { id: 'run-header', class: 'run-header', 'data-run-id': record.id, 'data-model': record.model, 'data-status': running ? 'running' : record.status },
    h('div', { class: 'title-row' }, h('h1', null, record.model), statusBadge(record, running)),
    h('p', { class: 'query-line' }, 'Query ', h('code', null, `${record.input.query}${record.input.separator === '\t' ? '⇥' : record.input.separator}`), ` · ${record.input.examples.length} examples · ${record.tasks.length} tasks`),
    verdictLine(record, running),
    warningsList(record),
    runErrorBox(record),
    h('details', { id: 'run-details', class: 'run-details' }, h('summary', null, 'Run details (digest, server, method, options, timing)'), runFacts(record)),
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Run actions' },
      button('btn-rerun', 'Re-run', actions.rerun, { disabled: busy, icon: 'debug-rerun', title: 'Measure this prompt again with the current settings' }),
      button('btn-export-png', 'Export PNG', () => actions.exportAs('png'), { secondary: true, disabled: busy, icon: 'file-media' }),
      button('btn-export-csv', 'Export CSV', () => actions.exportAs('csv'), { secondary: true, disabled: busy, icon: 'table' }),
      button('btn-export-json', 'Export JSON', () => actions.exportAs('json'), { secondary: true, disabled: busy, icon: 'json' }),
      button('btn-compare', 'Compare with…', actions.compareWith, { secondary: true, disabled: busy, icon: 'diff' }),
      record.input.source ? button('btn-open-source', 'Open prompt', actions.openSource, { secondary: true, icon: 'go-to-file', title: record.input.source }) : null,
    ),
  );
}

export { button as actionButton };
