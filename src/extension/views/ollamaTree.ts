import * as vscode from 'vscode';
import type { OllamaService } from '../ollamaService';

type Node = { kind: 'info'; label: string; description?: string; icon: string; tooltip?: string } | { kind: 'models' } | { kind: 'model'; name: string; detail: string; selected: boolean };

/** The Ollama view: server, version, models, the selected one. Checked when first shown. */
export class OllamaTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private service: OllamaService) {
    this.subscription = service.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const status = await this.service.ensureChecked();
    if (!node) {
      const nodes: Node[] = [{ kind: 'info', label: 'Server', description: `${status.host} (${this.service.hostSource})`, icon: 'server', tooltip: `${status.host}, from ${this.service.hostSource}. Change it with "Superposition: Set Ollama Host…" (the plug button).` }];
      if (status.reachable) {
        nodes.push({ kind: 'info', label: 'Version', description: `${status.version}${status.logprobs ? '' : ' — no logprobs (sampling only)'}`, icon: status.logprobs ? 'check' : 'warning' });
        nodes.push({ kind: 'info', label: 'Model', description: this.service.model || 'none selected', icon: 'beaker' });
        nodes.push({ kind: 'models' });
      } else {
        nodes.push({ kind: 'info', label: 'Not reachable', description: status.error?.nextStep, tooltip: status.error?.message, icon: 'error' });
      }
      return nodes;
    }
    if (node.kind === 'models') {
      return status.models.map((m) => ({
        kind: 'model',
        name: m.name,
        detail: [m.parameterSize, m.quantization, `${(m.size / 1e9).toFixed(1)} GB`].filter(Boolean).join(' · '),
        selected: m.name === this.service.model || m.name === `${this.service.model}:latest`,
      }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'info') {
      const item = new vscode.TreeItem(node.label);
      item.description = node.description;
      item.tooltip = node.tooltip ?? node.description;
      item.iconPath = new vscode.ThemeIcon(node.icon);
      return item;
    }
    if (node.kind === 'models') {
      const item = new vscode.TreeItem('Models', vscode.TreeItemCollapsibleState.Expanded);
      item.iconPath = new vscode.ThemeIcon('library');
      item.description = String(this.service.status.models.length);
      return item;
    }
    const item = new vscode.TreeItem(node.name);
    item.description = node.detail;
    item.iconPath = new vscode.ThemeIcon(node.selected ? 'pass-filled' : 'circle-large-outline');
    item.contextValue = 'model';
    item.command = { command: 'superposition.selectModel', title: 'Select Model', arguments: [node.name] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
