// What the E2E suites read off the results panel (distribution, scaling table) and the steps of the
// experiment wizards.
import type { Frame } from 'playwright-core';
import type { VsCodeSession } from './harness';

export interface Row {
  taskId: string;
  answer: string;
  probability: number;
  lower: number;
  upper: number;
  share: number;
}

export async function completePanel(vs: VsCodeSession, timeoutMs = 60_000): Promise<Frame> {
  return vs.findWebviewFrame(
    (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && document.getElementById('distribution-table') !== null),
    timeoutMs,
  );
}

export async function distributionRows(frame: Frame): Promise<Row[]> {
  return frame.$$eval('#distribution-table tr[data-task-id]', (trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return {
        taskId: d['taskId'] ?? '',
        answer: d['answer'] ?? '',
        probability: Number(d['probability']),
        lower: Number(d['lower']),
        upper: Number(d['upper']),
        share: Number(d['share']),
      };
    }),
  );
}

export interface ScalingRow {
  k: number;
  r: number;
  taskMass: number;
  n: number;
}

export async function scalingRows(frame: Frame): Promise<ScalingRow[]> {
  return frame.$$eval('#scaling-table tr[data-k]', (trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset;
      return { k: Number(d['k']), r: Number(d['r']), taskMass: Number(d['taskMass']), n: Number(d['n']) };
    }),
  );
}

/** Starts a wizard command from the palette (runCommand would wait for the quick input to close; the wizard keeps it open). */
export async function openWizard(vs: VsCodeSession, name: string): Promise<void> {
  const input = vs.quickInput();
  await vs.page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>Superposition: ${name}`);
  await vs.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
  await vs.page.keyboard.press('Enter');
}

/** Steps through the scaling wizard: the preselected pool, then K max, prompts per K and examples per task, the preselected model; stops at the last step. */
export async function fillScalingWizard(vs: VsCodeSession, kMax: string, prompts: string, perTask: string, poolScreenshot?: string): Promise<void> {
  const title = vs.page.locator('.quick-input-widget .quick-input-title');
  await openWizard(vs, 'Run Scaling Experiment');
  await title.filter({ hasText: '(1/5)' }).waitFor({ state: 'visible' });
  if (poolScreenshot) await vs.screenshot(poolScreenshot);
  await vs.page.keyboard.press('Enter');
  for (const [step, value] of [['(2/5)', kMax], ['(3/5)', prompts], ['(4/5)', perTask]] as const) {
    await title.filter({ hasText: step }).waitFor({ state: 'visible' });
    await vs.quickInput().fill(value);
    await vs.page.keyboard.press('Enter');
  }
  await title.filter({ hasText: '(5/5)' }).waitFor({ state: 'visible' });
  await vs.page.keyboard.press('Enter');
  await title.filter({ hasText: 'ready' }).waitFor({ state: 'visible' });
}
