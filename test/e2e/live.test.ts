// End-to-end in real VS Code against the REAL Ollama and model that npm test starts (OLLAMA_HOST,
// SUPERPOSITION_LIVE_MODEL; see test/live/live.test.ts): right-click analysis of an example shows no
// "Simulated" banner and the same numbers as the CLI's JSON for the same prompt; a scaling
// experiment from the wizard completes. In CI (SUPERPOSITION_REQUIRE_LIVE=1) a missing server fails.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { RunRecord } from '../../src/core/record';
import { captureOnFailure, ensureVsix, repoRoot, startVsCode, type VsCodeSession } from './harness';
import { completePanel, distributionRows, fillScalingWizard, scalingRows } from './views';

const host = process.env['OLLAMA_HOST'];
const model = process.env['SUPERPOSITION_LIVE_MODEL'];
const unavailable = process.env['SUPERPOSITION_LIVE_UNAVAILABLE'] ?? (!host || !model ? 'OLLAMA_HOST / SUPERPOSITION_LIVE_MODEL not set (npm test sets them)' : undefined);
const required = process.env['SUPERPOSITION_REQUIRE_LIVE'] === '1';
const EXAMPLE = 'country.txt';
/** Two runs of one analysis on the real server differ by less than this (measured in the live suite). */
const RUN_TO_RUN = 1e-3;

describe('e2e live: real VS Code on the real Ollama', { skip: !required && unavailable ? `skipped: ${unavailable}` : false }, () => {
  let vs: VsCodeSession;

  before(async () => {
    if (unavailable) assert.fail(`the e2e live suite must run in CI but cannot: ${unavailable}`);
    vs = await startVsCode({
      name: 'live',
      copyWorkspaceFrom: 'examples',
      vsix: ensureVsix(),
      env: { OLLAMA_HOST: host! },
      extraSettings: { 'superposition.model': model },
      waitForActivity: 'Superposition',
    });
  });

  after(async () => {
    await vs?.close();
  });

  test('e2e live: right-click analysis of an example on the real model — no Simulated banner, the CLI\'s numbers', { timeout: 900_000 }, () => captureOnFailure(vs, 'live-analyze', async () => {
    await vs.openFile(EXAMPLE);
    await vs.selectAll();
    await vs.waitForSelectionStatus();
    await vs.rightClickEditorAndChoose('Analyze Prompt Superposition');
    const frame = await completePanel(vs, 600_000);
    await vs.screenshot('live-analyze-panel');
    assert.equal(await frame.locator('#simulated-banner').count(), 0, 'a run on the real model is not marked as simulated');
    const rows = (await distributionRows(frame)).filter((r) => r.taskId !== 'other');
    assert.ok(rows.length >= 2, JSON.stringify(rows));

    const cli = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'analyze', join(repoRoot, 'examples', EXAMPLE), '--model', model!, '--host', host!, '--json'], { maxBuffer: 64 << 20, timeout: 600_000 });
    const record = JSON.parse(cli.stdout) as RunRecord;
    assert.equal(record.status, 'complete');
    let largest = 0;
    for (const row of rows) {
      const task = record.tasks.find((x) => x.id === row.taskId);
      assert.ok(task, `the CLI has no task ${row.taskId}`);
      largest = Math.max(largest, Math.abs(task.lower - row.lower), Math.abs(task.upper - row.upper), Math.abs(task.probability - row.probability));
    }
    console.log(`# e2e live: panel vs CLI, largest difference ${largest.toExponential(2)} over ${rows.length} tasks`);
    assert.ok(largest <= RUN_TO_RUN, `panel and CLI differ by ${largest}`);
    await frame.locator('#token-view').scrollIntoViewIfNeeded();
    await vs.screenshot('live-analyze-token-view');
  }));

  test('e2e live quick check: the CodeLens shows the last result on the real model; saving the unchanged prompt answers from the cache', { timeout: 300_000 }, () => captureOnFailure(vs, 'live-quick', async () => {
    // The analysis above is this prompt's last result: the lens above the analysed selection says so.
    await vs.openFile(EXAMPLE);
    const lens = vs.page.locator('.monaco-editor .codelens-decoration a').filter({ hasText: new RegExp(`^last: .* — ${model!.replace(/:latest$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · `) }).first();
    await lens.waitFor({ state: 'visible', timeout: 60_000 });
    assert.doesNotMatch((await lens.textContent()) ?? '', /simulated/);
    await vs.screenshot('live-quick-lens');
    const runs = () => readdirSync(join(vs.workspace, '.superposition', 'runs')).filter((f) => f.endsWith('.json') && f !== 'index.json').length;
    const before = runs();
    await vs.runCommand('Superposition: Toggle Analyze on Save (this file)');
    await vs.page.keyboard.press('Control+End');
    await vs.page.keyboard.type(' ');
    await vs.page.keyboard.press('Backspace');
    await vs.page.keyboard.press('Control+S');
    await vs.page.locator('.statusbar-item', { hasText: 'unchanged — last measurement reused (no model request)' }).first().waitFor({ state: 'visible', timeout: 60_000 });
    // No new measurement: the run files are the same ones.
    assert.equal(runs(), before);
    await vs.runCommand('Superposition: Toggle Analyze on Save (this file)');
  }));

  test('e2e live: a scaling experiment from the wizard completes on the real model', { timeout: 900_000 }, () => captureOnFailure(vs, 'live-scaling', async () => {
    await vs.closeAllEditors();
    await fillScalingWizard(vs, '2', '1', '3');
    await vs.page.keyboard.press('Enter');
    const frame = await vs.findWebviewFrame(
      (f) => f.evaluate(() => document.body?.dataset['state'] === 'complete' && document.getElementById('scaling-table') !== null),
      600_000,
    );
    await vs.screenshot('live-scaling-panel');
    assert.equal(await frame.locator('#simulated-banner').count(), 0);
    const rows = await scalingRows(frame);
    assert.deepEqual(rows.map((r) => r.k).sort(), [1, 2]);
    for (const row of rows) {
      assert.equal(row.n, 1);
      assert.ok(row.r >= 0 && row.r <= row.k, JSON.stringify(row));
      assert.ok(row.taskMass > 0 && row.taskMass <= 1 + 1e-9, JSON.stringify(row));
    }
  }));
});
