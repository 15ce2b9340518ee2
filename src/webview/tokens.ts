/**
 * Token view: each task answer as the model scored it, token by token. Each chip shows the token
 * (whitespace visible) and its step probability; hovering or focusing it shows the top alternatives
 * at that step (the OpenAI-playground way). The tooltip is a real element referenced by
 * aria-describedby, so screen readers announce it; Escape hides it.
 */
import type { RunRecord, TaskResult } from '../core/record';
import { answerCode, swatch } from './distribution';
import { h, uid } from './dom';
import { formatEstimate, formatPercent, stepBucket, taskColorIndex, visibleToken } from './format';

type Step = NonNullable<TaskResult['steps']>[number];

function tooltip(step: Step, id: string): HTMLElement {
  const alternatives = [...step.alternatives].sort((a, b) => b.probability - a.probability);
  const chosenListed = alternatives.some((a) => a.token === step.token);
  return h(
    'div',
    { class: 'token-tip', role: 'tooltip', id },
    h('div', { class: 'tip-head' }, step.prefix === '' ? 'First token' : ['After ', h('code', null, `“${visibleToken(step.prefix)}”`)]),
    alternatives.length === 0
      ? h('p', { class: 'muted' }, 'No alternatives were reported for this step.')
      : h(
          'table',
          { class: 'tip-table' },
          h('caption', { class: 'visually-hidden' }, 'Most probable tokens at this step'),
          h(
            'tbody',
            null,
            alternatives.map((a) => {
              const bar = h('span', { class: 'tip-bar-fill' });
              bar.style.width = `${Math.max(1, Math.round(a.probability * 100))}%`;
              return h(
                'tr',
                { class: a.token === step.token ? 'chosen' : '' },
                h('td', { class: 'tip-token' }, h('code', null, visibleToken(a.token)), a.token === step.token ? h('span', { class: 'visually-hidden' }, ' (this answer)') : null),
                h('td', { class: 'tip-bar', 'aria-hidden': 'true' }, bar),
                h('td', { class: 'num' }, formatPercent(a.probability)),
              );
            }),
          ),
        ),
    chosenListed || alternatives.length === 0 ? null : h('p', { class: 'tip-note' }, `“${visibleToken(step.token)}” is not among the reported alternatives.`),
  );
}

function chip(step: Step, index: number): HTMLElement {
  const tipId = uid('tok-tip');
  const bucket = stepBucket(step.probability);
  const el = h(
    'button',
    {
      type: 'button',
      class: `token-chip p-${bucket}`,
      tabindex: '0',
      'aria-describedby': tipId,
      'aria-label': `Token ${index + 1}: “${visibleToken(step.token)}”, probability ${formatPercent(step.probability)}`,
      'data-token': step.token,
      'data-probability': String(step.probability),
    },
    h('span', { class: 'tok' }, visibleToken(step.token)),
    h('span', { class: 'tok-p' }, formatPercent(step.probability)),
  );
  const wrapper = h('span', { class: 'token-step' }, el, tooltip(step, tipId));
  const place = () => {
    wrapper.classList.remove('tip-hidden');
    const rect = wrapper.getBoundingClientRect();
    wrapper.classList.toggle('tip-left', rect.left + 300 > window.innerWidth);
    wrapper.classList.toggle('tip-up', rect.bottom + 260 > window.innerHeight && rect.top > 260);
  };
  wrapper.addEventListener('mouseenter', place);
  el.addEventListener('focus', place);
  el.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      wrapper.classList.add('tip-hidden');
      wrapper.classList.remove('tip-pinned');
      event.stopPropagation();
    }
  });
  el.addEventListener('click', () => {
    const pinned = wrapper.classList.toggle('tip-pinned');
    if (pinned) place();
    else wrapper.classList.add('tip-hidden');
  });
  wrapper.addEventListener('mouseleave', () => wrapper.classList.remove('tip-hidden'));
  el.addEventListener('blur', () => wrapper.classList.remove('tip-hidden'));
  return wrapper;
}

let escapeInstalled = false;
/** Escape also hides a tooltip shown by mouse hover (WCAG 1.4.13: dismissible without moving the pointer). */
function installEscape(): void {
  if (escapeInstalled) return;
  escapeInstalled = true;
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    for (const step of document.querySelectorAll('.token-step:hover, .token-step.tip-pinned')) {
      step.classList.add('tip-hidden');
      step.classList.remove('tip-pinned');
    }
  });
}

export function tokenView(record: RunRecord): HTMLElement {
  installEscape();
  const withSteps = record.tasks.map((t, i) => ({ t, i })).filter(({ t }) => t.steps && t.steps.length > 0);
  if (withSteps.length === 0) {
    return h(
      'p',
      { class: 'muted', id: 'token-view-empty' },
      record.method === 'sampling' ? 'Token-by-token probabilities come with the logprobs method; this run sampled whole answers.' : 'No token steps were recorded for this run.',
    );
  }
  return h(
    'div',
    { id: 'token-view', class: 'token-view' },
    h('p', { class: 'hint' }, 'Hover or focus a token (Tab) to see the most probable tokens at that step; Escape hides it. ␣ space, ⏎ newline, ⇥ tab, ∅ empty token.'),
    withSteps.map(({ t, i }) =>
      h(
        'div',
        { class: 'token-row', 'data-task-id': t.id },
        h('div', { class: 'token-task' }, swatch(taskColorIndex(i)), h('span', { class: 'task-label' }, t.label), ' ', answerCode(t.answer), h('span', { class: 'token-total' }, ` = ${formatEstimate(t)}`)),
        h(
          'div',
          { class: 'token-chips', role: 'group', 'aria-label': `Tokens of ${t.label}` },
          (t.steps ?? []).flatMap((s, k) => (k === 0 ? [chip(s, k)] : [h('span', { class: 'token-times', 'aria-hidden': 'true' }, '×'), chip(s, k)])),
        ),
      ),
    ),
  );
}
