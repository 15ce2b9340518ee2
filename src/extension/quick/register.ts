import * as vscode from 'vscode';
import type { FixKind } from '../../core/quick/measurementRules';
import type { Lab } from '../lab';
import { PromptCodeLens } from './codeLens';
import { InlineResults, PromptHover } from './hoverAndInline';
import { applyQuickFix, MeasurementDiagnostics } from './measurementDiagnostics';
import { createOnSaveStatus } from './onSaveStatus';
import { QuickCheck } from './quickCheck';

/** The documents the quick check serves. */
export const PROMPT_SELECTOR: vscode.DocumentSelector = [
  { language: 'fewshot' },
  { pattern: '**/*.txt' },
  { pattern: '**/*.superposition.json' },
];

/** Creates the quick check and its editor features (CodeLens, diagnostics + quick fixes, status). */
export function registerQuickCheck(lab: Lab, context: vscode.ExtensionContext): { quick: QuickCheck; disposable: vscode.Disposable } {
  const quick = new QuickCheck(lab, context);
  const lens = new PromptCodeLens(quick, () => lab.settings().codeLens);
  const diagnostics = new MeasurementDiagnostics(quick);
  const disposable = vscode.Disposable.from(
    quick,
    lens,
    diagnostics,
    vscode.languages.registerCodeLensProvider(PROMPT_SELECTOR, lens),
    vscode.languages.registerHoverProvider(PROMPT_SELECTOR, new PromptHover(quick)),
    new InlineResults(quick, () => lab.settings().inlineResult),
    vscode.languages.registerCodeActionsProvider(PROMPT_SELECTOR, diagnostics, { providedCodeActionKinds: MeasurementDiagnostics.kinds }),
    createOnSaveStatus(quick),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('superposition.codeLens')) lens.refresh();
    }),
  );
  return { quick, disposable };
}

/** Command handlers (registered at activation in extension.ts). */
export const quickCommands = {
  async quickCheck(quick: QuickCheck, uri?: unknown): Promise<void> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) return void vscode.window.showInformationMessage('Superposition: open a prompt file first.');
    await quick.check(await vscode.workspace.openTextDocument(target), 'lens');
  },
  async toggleAnalyzeOnSave(quick: QuickCheck, uri?: unknown): Promise<void> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) return void vscode.window.showInformationMessage('Superposition: open a prompt file first.');
    const on = await quick.toggleOnSave(target);
    vscode.window.setStatusBarMessage(`Superposition: analyze on save ${on ? 'on' : 'off'} for ${vscode.workspace.asRelativePath(target, false)}`, 4000);
  },
  async toggleInlineResult(): Promise<void> {
    const config = vscode.workspace.getConfiguration('superposition');
    await config.update('inlineResult', !config.get<boolean>('inlineResult', true), vscode.ConfigurationTarget.Global);
  },
  async applyQuickFix(quick: QuickCheck, uri: unknown, fix: unknown, seed: unknown): Promise<void> {
    if (!(uri instanceof vscode.Uri) || typeof fix !== 'object' || fix === null) return;
    await applyQuickFix(quick, uri, fix as FixKind, typeof seed === 'number' ? seed : 1);
  },
};
