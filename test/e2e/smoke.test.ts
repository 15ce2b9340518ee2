// Smoke test in real VS Code (code-server + Chromium): the workbench loads with the packaged
// extension installed, its activity-bar container shows the Experiments and Ollama views, and its
// commands are in the command palette. Needs `bash scripts/e2e-tools.sh` once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureVsix, repoRoot, startVsCode, type VsCodeSession } from './harness';

let vs: VsCodeSession | undefined;

before(async () => {
  // Until src/extension lands, a stub main is packaged (manifest contributions only).
  const vsix = ensureVsix();
  vs = await startVsCode({ name: 'smoke', copyWorkspaceFrom: 'examples', vsix, waitForActivity: 'Superposition' });
});

after(async () => {
  await vs?.close();
});

test('the workbench loads with the examples folder open', { timeout: 60_000 }, async () => {
  const s = vs!;
  await s.page.getByRole('treeitem', { name: /word\.txt/ }).first().waitFor({ state: 'visible' });
  assert.equal(await s.page.locator('.monaco-workbench').count(), 1);
});

test('the extension contributes the Superposition container with Experiments and Ollama views', { timeout: 60_000 }, async () => {
  const s = vs!;
  await s.openActivityBar('Superposition');
  await s.view('Experiments');
  await s.view('Ollama');
  await s.screenshot('smoke-superposition-views');
});

test('the extension commands are in the command palette', { timeout: 60_000 }, async () => {
  const s = vs!;
  await s.page.keyboard.press('F1');
  await s.quickInput().fill('>Superposition: Analyze');
  const rows = s.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.filter({ hasText: 'Superposition: Analyze Selection' }).first().waitFor({ state: 'visible' });
  await s.screenshot('smoke-command-palette');
  await s.page.keyboard.press('Escape');
});

test('a file opens, its selection is reported, and the editor menu offers Analyze Prompt Superposition', { timeout: 60_000 }, async () => {
  const s = vs!;
  await s.openFile('word.txt');
  await s.selectLines(1, 3);
  // The first three lines and their newlines.
  const expected = readFileSync(join(repoRoot, 'examples', 'word.txt'), 'utf8').split('\n').slice(0, 3).join('\n').length + 1;
  assert.equal(await s.waitForSelectionStatus(expected), expected);
  // Open the menu, take the screenshot, close it without running anything (a stub may be installed).
  const box = await s.selectionBox();
  assert.ok(box, 'a rendered selection');
  await s.page.mouse.click(box.x + 20, box.y + box.height / 2, { button: 'right' });
  const item = s.page.getByRole('menuitem', { name: /Analyze Prompt Superposition/ }).first();
  await item.waitFor({ state: 'visible' });
  await s.screenshot('smoke-editor-context-menu');
  await s.page.keyboard.press('Escape');
  await item.waitFor({ state: 'hidden' });
});
