import * as vscode from 'vscode';
import {
  defaultProportions,
  validateCalibrationPlan,
  validateScalingPlan,
  type CalibrationPlan,
  type ExperimentMethod,
  type ScalingPlan,
} from '../core/experiments/plan';
import type { ExperimentDraft } from '../core/experiments/planFile';
import { expandPlan, type ExperimentPlan } from '../core/experiments/plan';
import { planSize, planSizeText } from '../core/experiments/planSize';
import type { ModelSummary } from '../core/ollama/types';
import { BUILTIN_TASKS } from '../core/tasks/builtin';

/** Quick-input steps for an experiment plan; undefined when the user backs out. */

async function pickTasks(title: string, preselected: readonly string[], min: number, max: number): Promise<string[] | undefined> {
  for (;;) {
    const picked = await vscode.window.showQuickPick(
      BUILTIN_TASKS.map((t) => ({ label: t.id, description: t.label, detail: `${t.family} inputs`, picked: preselected.includes(t.id) })),
      { title, canPickMany: true, placeHolder: `Pick ${min === max ? min : `${min}–${max}`} tasks that share one input format`, matchOnDescription: true },
    );
    if (!picked) return undefined;
    if (picked.length >= min && picked.length <= max) {
      // Keep the preselected order (an experiment file's pool or task order matters), then the rest.
      const rank = (id: string) => (preselected.includes(id) ? preselected.indexOf(id) : preselected.length);
      return picked.map((p) => p.label).sort((a, b) => rank(a) - rank(b));
    }
    await vscode.window.showWarningMessage(`Pick between ${min} and ${max} tasks (you picked ${picked.length}).`, { modal: true });
  }
}

async function askInteger(title: string, prompt: string, value: number, min: number, max: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(value),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max ? undefined : `A whole number from ${min} to ${max}.`),
  });
  return text === undefined ? undefined : Number(text.trim());
}

async function pickModels(title: string, models: readonly ModelSummary[], current: readonly string[]): Promise<string[] | undefined> {
  if (models.length === 0) {
    void vscode.window.showErrorMessage('Superposition: the Ollama server has no models. Pull one first (Superposition: Pull Model).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: [m.parameterSize, m.quantization].filter(Boolean).join(' · '), picked: current.some((c) => m.name === c || m.name === `${c}:latest`) })),
    { title, canPickMany: true, placeHolder: 'Models to compare (each sees the same prompts)' },
  );
  if (!picked || picked.length === 0) return undefined;
  // Keep the order of the file / setting for the models it names (stable colours and tables), then the rest.
  const rank = (name: string) => {
    const i = current.findIndex((c) => name === c || name === `${c}:latest`);
    return i < 0 ? current.length : i;
  };
  return picked.map((p) => p.label).sort((a, b) => rank(a) - rank(b));
}

function showErrors(errors: readonly string[]): undefined {
  void vscode.window.showErrorMessage(`Superposition: ${errors.join(' ')}`);
  return undefined;
}

export interface WizardContext {
  /** Tasks detected in the editor's selection, used as the default pool. */
  detected: readonly string[];
  models: readonly ModelSummary[];
  currentModel: string;
  method: ExperimentMethod;
  samples: number;
  /** An experiment file open in the editor: its values prefill the steps (and its seed, method… are kept). */
  draft?: ExperimentDraft;
  /** Where the plan came from, shown in the titles. */
  source?: string;
}

function modelsOf(ctx: WizardContext): string[] {
  return ctx.draft?.models?.length ? ctx.draft.models : [ctx.currentModel];
}

export async function scalingWizard(ctx: WizardContext): Promise<ScalingPlan | undefined> {
  const title = `Scaling experiment${ctx.source ? ` from ${ctx.source}` : ''}`;
  const draft = ctx.draft?.kind === 'scaling' ? ctx.draft : undefined;
  const pool = await pickTasks(`${title} (1/5): task pool`, draft?.pool ?? (ctx.detected.length > 0 ? ctx.detected : ['sum.digits', 'sum.en', 'sum.fr', 'sum.es']), 1, BUILTIN_TASKS.length);
  if (!pool) return undefined;
  const kMax = await askInteger(`${title} (2/5): largest K`, 'Prompts mix K = 1 … Kmax tasks drawn from the pool.', Math.min(draft?.kMax ?? pool.length, pool.length), 1, pool.length);
  if (kMax === undefined) return undefined;
  const prompts = await askInteger(`${title} (3/5): prompts per K`, 'Generated prompts per K (the paper uses 100; 20 is a good start).', draft?.promptsPerK ?? 20, 1, 1000);
  if (prompts === undefined) return undefined;
  const perTask = await askInteger(`${title} (4/5): examples per task`, 'In-context examples per task in each prompt (paper: 20).', draft?.examplesPerTask ?? 20, 1, 200);
  if (perTask === undefined) return undefined;
  const models = await pickModels(`${title} (5/5): models`, ctx.models, modelsOf(ctx));
  if (!models) return undefined;
  const checked = validateScalingPlan({
    method: ctx.method,
    samples: ctx.samples,
    ...draft,
    kMin: Math.min(draft?.kMin ?? 1, kMax),
    pool,
    kMax,
    promptsPerK: prompts,
    examplesPerTask: perTask,
    models,
  });
  return checked.ok ? checked.plan : showErrors(checked.errors);
}

export function parseProportionList(text: string): number[][] | undefined {
  const points = text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split(',').map((x) => Number(x.trim())));
  return points.length > 0 && points.every((p) => p.every((x) => Number.isFinite(x) && x >= 0)) ? points : undefined;
}

export async function calibrationWizard(ctx: WizardContext): Promise<CalibrationPlan | undefined> {
  const title = `Calibration experiment${ctx.source ? ` from ${ctx.source}` : ''}`;
  const draft = ctx.draft?.kind === 'calibration' ? ctx.draft : undefined;
  const tasks = await pickTasks(`${title} (1/4): tasks`, draft?.tasks ?? ctx.detected.slice(0, 3), 2, 3);
  if (!tasks) return undefined;
  const fromDraft = draft?.proportions && draft.proportions.every((p) => p.length === tasks.length) ? draft.proportions : undefined;
  const proposal = (fromDraft ?? defaultProportions(tasks.length))
    .map((p) => p.map((x) => Number(x.toFixed(3))).join(','))
    .join('; ');
  const text = await vscode.window.showInputBox({
    title: `${title} (2/4): mixture proportions`,
    prompt: `One point per mixture, ";"-separated; ${tasks.length} proportions each, in task order (${tasks.join(', ')}).`,
    value: proposal,
    validateInput: (v) => {
      const points = parseProportionList(v);
      if (!points) return 'Numbers ≥ 0, e.g. 0,1; 0.5,0.5; 1,0';
      return points.every((p) => p.length === tasks.length && p.some((x) => x > 0)) ? undefined : `Each point needs ${tasks.length} proportions, not all 0.`;
    },
  });
  if (text === undefined) return undefined;
  const prompts = await askInteger(`${title} (3/4): prompts per point`, 'Generated prompts per mixture point.', draft?.promptsPerPoint ?? 20, 1, 1000);
  if (prompts === undefined) return undefined;
  const models = await pickModels(`${title} (4/4): models`, ctx.models, modelsOf(ctx));
  if (!models) return undefined;
  const checked = validateCalibrationPlan({
    method: ctx.method,
    samples: ctx.samples,
    ...draft,
    ...(draft?.tasks.length === tasks.length ? {} : { totalExamples: undefined }),
    tasks,
    proportions: parseProportionList(text)!,
    promptsPerPoint: prompts,
    models,
  });
  return checked.ok ? checked.plan : showErrors(checked.errors);
}

export type WizardAction = 'start' | 'save' | 'saveAndStart';

/** The last step: start now, or keep the plan as an experiment file (to version it, or run it from the CLI). */
export async function chooseAction(plan: ExperimentPlan): Promise<WizardAction | undefined> {
  const size = planSizeText(planSize(plan, expandPlan(plan)));
  const items: (vscode.QuickPickItem & { action: WizardAction })[] = [
    { label: '$(play) Start experiment', description: `${plan.models.length} model${plan.models.length === 1 ? '' : 's'}`, detail: size, action: 'start' },
    { label: '$(save) Save as experiment file, then start', description: '*.superposition.json', action: 'saveAndStart' },
    { label: '$(save) Save as experiment file only', detail: 'Run it later with "Superposition: Run Experiment File" or `superposition scale|calibrate --plan FILE`.', action: 'save' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${plan.kind === 'scaling' ? 'Scaling' : 'Calibration'} experiment: ready — ${size.split(' (')[0]}`, placeHolder: 'Start now or save the plan' });
  return picked?.action;
}
