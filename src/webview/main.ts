/**
 * Results webview entry point. Receives ToWebview messages (validated with parseToWebview, anything
 * else dropped), renders a run or a comparison, and posts FromWebview messages back.
 *
 * DOM contract (read by the E2E tests):
 * - document.body.dataset.state: waiting | running | complete | cancelled | failed | comparison | error
 * - #distribution-table rows: data-task-id, data-answer, data-probability, data-lower, data-upper, data-share
 * - #completions-table, #comparison-table (data-task-id, data-left, data-right), #simulated-banner
 * - window.superpositionLab.charts.{distribution, comparison}: the Chart.js instances
 * - experiments (see experimentView.ts): #experiment-header, #scaling-table, #calibration-table, #kl-table,
 *   #experiment-comparison-table; window.superpositionLab.charts.{scaling, taskMass} or {calibration, kl}
 */
import './zodJitless'; // must stay the first import: before any schema is constructed
import type { Chart } from 'chart.js';
import type { ExperimentRecord } from '../core/experiments/record';
import type { RunRecord } from '../core/record';
import { applyExperimentDelta } from '../core/experiments/applyDelta';
import { formatSeconds } from '../core/duration';
import { parseToWebview, type ExperimentDelta, type ToWebview } from '../shared/protocol';
import { ComparisonView } from './compare';
import { h, replaceChildren } from './dom';
import { ExperimentView, type ExperimentActions, type ExperimentCharts } from './experimentView';
import { runState, type ViewStateName } from './format';
import { RunView } from './runView';
import { prefersReducedMotion, readTheme, watchTheme } from './theme';
import { post, setViewState } from './vscodeApi';

declare global {
  interface Window {
    superpositionLab?: { charts: LabCharts };
  }
}

type LabCharts = { distribution?: Chart; comparison?: Chart } & ExperimentCharts;

const hook: { charts: LabCharts } = { charts: {} };
window.superpositionLab = hook;

function setState(state: ViewStateName): void {
  document.body.dataset['state'] = state;
}

// Regions: progress line and error box persist across views; the view goes in #app.
const progressText = h('span', { class: 'progress-text' });
const progressBar = h('progress', { class: 'progress-bar', max: '1' });
const progress = h('div', { id: 'progress', class: 'progress', role: 'status', 'aria-live': 'polite', hidden: true }, progressText, progressBar);
const errorRegion = h('div', { id: 'error-region' });
const app = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
app.before(progress, errorRegion);

let runView: RunView | undefined;
let comparisonView: ComparisonView | undefined;
let experimentView: ExperimentView | undefined;

function runActions(current: () => RunRecord | undefined) {
  return {
    rerun: () => {
      const r = current();
      if (r) post({ type: 'rerun', runId: r.id });
    },
    compareWith: () => {
      const r = current();
      if (r) post({ type: 'compareWith', runId: r.id });
    },
    openSource: () => {
      const r = current();
      if (r) post({ type: 'openSource', runId: r.id });
    },
    exportAs: (format: 'png' | 'csv' | 'json') => {
      const r = current();
      if (!r) return;
      if (format === 'png') {
        const dataUrl = runView?.png(readTheme());
        if (dataUrl) post({ type: 'export', runId: r.id, format, dataUrl });
      } else {
        post({ type: 'export', runId: r.id, format });
      }
    },
  };
}

function clearViews(): void {
  runView?.destroy();
  runView = undefined;
  comparisonView?.destroy();
  comparisonView = undefined;
  experimentView?.destroy();
  experimentView = undefined;
  hook.charts = {};
}

function hideProgress(): void {
  progress.hidden = true;
}

function showRun(record: RunRecord, running: boolean, simulated: boolean): void {
  replaceChildren(errorRegion);
  if (!runView) {
    clearViews();
    replaceChildren(app);
    runView = new RunView(runActions(() => runView?.record));
    app.appendChild(runView.root);
  }
  // Another run (not a refresh of the running one) starts at the top, not where the last one was scrolled.
  const another = runView.record !== undefined && runView.record.id !== record.id;
  runView.update(record, running, simulated, readTheme(), !prefersReducedMotion() && !running);
  if (another) window.scrollTo(0, 0);
  const chart = runView.distributionChart?.chart;
  hook.charts = chart ? { distribution: chart as unknown as Chart } : {};
  if (!running) hideProgress();
  setViewState({ runIds: [record.id] });
  setState(runState(record, running));
}

function showComparison(left: RunRecord, right: RunRecord, simulated: boolean): void {
  replaceChildren(errorRegion);
  hideProgress();
  if (!comparisonView) {
    clearViews();
    replaceChildren(app);
    comparisonView = new ComparisonView({
      rerun: (runId) => post({ type: 'rerun', runId }),
      openSource: (runId) => post({ type: 'openSource', runId }),
      promptDiff: (beforeId, afterId) => post({ type: 'promptDiff', beforeId, afterId }),
      exportComparison: (beforeId, afterId, format) => {
        const dataUrl = format === 'png' ? comparisonView?.png(readTheme()) : undefined;
        if (format === 'png' && !dataUrl) return;
        post({ type: 'exportComparison', beforeId, afterId, format, ...(dataUrl ? { dataUrl } : {}) });
      },
    });
    app.appendChild(comparisonView.root);
  }
  comparisonView.update(left, right, simulated, readTheme(), !prefersReducedMotion());
  const chart = comparisonView.comparisonChart?.chart;
  hook.charts = chart ? { comparison: chart as unknown as Chart } : {};
  setViewState({ runIds: [left.id, right.id] });
  setState('comparison');
}

const experimentActions: ExperimentActions = {
  rerun: (runId) => post({ type: 'rerun', runId }),
  compareWith: (runId) => post({ type: 'compareWith', runId }),
  resume: (runId) => post({ type: 'resume', runId }),
  exportAs: (runId, format) => {
    if (format === 'png') {
      const dataUrl = experimentView?.png(readTheme());
      if (dataUrl) post({ type: 'export', runId, format, dataUrl });
    } else {
      post({ type: 'export', runId, format });
    }
  },
};

function experimentCharts(view: ExperimentView): LabCharts {
  const out: LabCharts = {};
  for (const [name, chart] of Object.entries(view.charts)) if (chart) out[name as keyof ExperimentCharts] = chart;
  return out;
}

function ensureExperimentView(kind: ExperimentRecord['kind'], comparison: boolean): ExperimentView {
  if (!experimentView || experimentView.kind !== kind || experimentView.comparison !== comparison) {
    clearViews();
    replaceChildren(app);
    experimentView = new ExperimentView(kind, comparison, experimentActions);
    app.appendChild(experimentView.root);
  }
  return experimentView;
}

function showExperiment(record: ExperimentRecord, running: boolean, simulated: boolean): void {
  replaceChildren(errorRegion);
  lastShown = { running, simulated };
  if (redrawTimer) clearTimeout(redrawTimer);
  redrawTimer = undefined;
  const sameRun = experimentView?.record?.id === record.id;
  const view = ensureExperimentView(record.kind, false);
  view.update(record, running, simulated, readTheme(), !prefersReducedMotion() && !running && !sameRun);
  hook.charts = experimentCharts(view);
  if (!running) hideProgress();
  setViewState({ runIds: [record.id] });
  setState(runState(record, running));
}

/** Redraws of a running experiment, at most this often: posts may come faster. */
const REDRAW_MS = 250;
let redrawTimer: ReturnType<typeof setTimeout> | undefined;
let lastShown: { running: boolean; simulated: boolean } = { running: false, simulated: false };

/** Applies a running experiment's delta to the record shown and redraws, at most every REDRAW_MS. */
function experimentProgress(delta: ExperimentDelta): void {
  const record = experimentView?.record;
  if (!record || record.id !== delta.runId || !experimentView?.isRunning()) return;
  applyExperimentDelta(record, delta);
  showProgress({ message: progressMessage(delta), done: delta.done, total: delta.total });
  redrawTimer ??= setTimeout(() => {
    redrawTimer = undefined;
    const view = experimentView;
    if (view?.record && view.isRunning()) view.update(view.record, true, lastShown.simulated, readTheme(), false);
    hook.charts = view ? experimentCharts(view) : hook.charts;
  }, REDRAW_MS);
}

function progressMessage(delta: ExperimentDelta): string {
  const eta = delta.etaSeconds !== undefined ? ` · about ${formatSeconds(delta.etaSeconds)} left` : '';
  return `${delta.requests.toLocaleString()} requests${eta}`;
}

function experimentCancelling(runId: string): void {
  if (experimentView?.record?.id !== runId) return;
  experimentView.markCancelling();
  showProgress({ message: 'Cancelling… nothing more is scheduled; prompts in flight are stopping.' });
}

function showExperimentComparison(left: ExperimentRecord, right: ExperimentRecord, simulated: boolean): void {
  if (left.kind !== right.kind) {
    showError(`Cannot compare a ${left.kind} experiment with a ${right.kind} experiment.`, 'Pick two experiments of the same kind.');
    return;
  }
  replaceChildren(errorRegion);
  hideProgress();
  const view = ensureExperimentView(left.kind, true);
  view.updateComparison(left, right, simulated, readTheme(), !prefersReducedMotion());
  hook.charts = experimentCharts(view);
  setViewState({ runIds: [left.id, right.id] });
  setState('comparison');
}

function showProgress(p: { message: string; done?: number | undefined; total?: number | undefined }): void {
  const counted = p.done !== undefined && p.total !== undefined && p.total > 0;
  progressText.textContent = counted ? `${p.message} (${p.done}/${p.total})` : p.message;
  if (counted) {
    progressBar.max = p.total ?? 1;
    progressBar.value = Math.min(p.done ?? 0, p.total ?? 1);
  } else {
    progressBar.removeAttribute('value'); // indeterminate
  }
  progress.hidden = false;
  const finished = counted && (p.done ?? 0) >= (p.total ?? 0);
  if (!finished) setState('running');
  if (!runView && !comparisonView && !experimentView && app.querySelector('.waiting')) {
    replaceChildren(app, h('p', { class: 'waiting' }, 'Measuring…'));
  }
}

function showError(message: string, nextStep: string | undefined): void {
  hideProgress();
  replaceChildren(
    errorRegion,
    h(
      'div',
      { class: 'message-box message-error', role: 'alert', id: 'error-box' },
      h('p', { class: 'message-title' }, message),
      nextStep ? h('p', { class: 'message-next' }, h('strong', null, 'Next step: '), nextStep) : null,
    ),
  );
  if (!runView && !comparisonView && !experimentView) replaceChildren(app);
  setState('error');
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'showRun':
      showRun(message.record, message.running, message.simulated || message.record.simulated);
      break;
    case 'showComparison':
      showComparison(message.left, message.right, message.simulated || message.left.simulated || message.right.simulated);
      break;
    case 'showExperiment':
      showExperiment(message.record, message.running, message.simulated);
      break;
    case 'experimentProgress':
      experimentProgress(message.delta);
      break;
    case 'experimentCancelling':
      experimentCancelling(message.runId);
      break;
    case 'showExperimentComparison':
      showExperimentComparison(message.left, message.right, message.simulated);
      break;
    case 'progress':
      showProgress(message.progress);
      break;
    case 'error':
      showError(message.message, message.nextStep);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToWebview(event.data);
  if (!message) {
    console.warn('[superposition] dropped an invalid message');
    return;
  }
  try {
    handle(message);
  } catch (err) {
    console.error('[superposition] render failed', err);
    showError(`The panel could not render this message: ${err instanceof Error ? err.message : String(err)}`, 'Reopen the run; if it keeps failing, report the run file.');
  }
});

watchTheme(() => {
  const theme = readTheme();
  runView?.retheme(theme);
  comparisonView?.retheme(theme);
  experimentView?.retheme(theme);
});

if (!document.body.dataset['state']) setState('waiting');
if (!app.firstChild) app.appendChild(h('p', { class: 'waiting' }, 'Waiting for a run…'));
post({ type: 'ready' });
