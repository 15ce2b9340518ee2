import * as vscode from 'vscode';
import { exportFileName } from '../core/exportFormats';

export type ExportFormat = 'json' | 'csv' | 'png';

/** The export picker: what each format holds. */
export const EXPORT_CHOICES: ReadonlyArray<vscode.QuickPickItem & { format: ExportFormat }> = [
  { label: 'JSON', description: 'the full run record — reopens in the panel, diffable', format: 'json' },
  { label: 'CSV', description: 'one row per task, with run id, date, source and metrics — for spreadsheets', format: 'csv' },
];

/** `<workspace>/.superposition/exports/` (else the extension's storage), created on demand. */
export async function exportsFolder(fallback: vscode.Uri): Promise<vscode.Uri> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
  const folder = workspace ? vscode.Uri.joinPath(workspace, '.superposition', 'exports') : vscode.Uri.joinPath(fallback, 'exports');
  await vscode.workspace.fs.createDirectory(folder);
  return folder;
}

/** Writes an export named from its source and time, and offers Open / Reveal on the toast. */
export async function writeExport(fallback: vscode.Uri, record: { createdAt: string; model: string; input?: { source?: string } }, format: ExportFormat, bytes: Uint8Array, prefix = ''): Promise<vscode.Uri> {
  const folder = await exportsFolder(fallback);
  const target = vscode.Uri.joinPath(folder, `${prefix}${exportFileName(record, format)}`);
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(`Superposition: exported ${vscode.workspace.asRelativePath(target)}.`, 'Open', 'Reveal').then(async (choice) => {
    if (choice === 'Open') {
      if (format === 'png') await vscode.commands.executeCommand('vscode.open', target);
      else await vscode.window.showTextDocument(target);
    } else if (choice === 'Reveal') await vscode.commands.executeCommand('revealFileInOS', target);
  });
  return target;
}
