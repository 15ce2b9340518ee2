import * as vscode from 'vscode';
import type { HistoryChange, HistoryListing, HistoryStore, RunSummary, UnreadableRun } from '../../core/history';
import { runRowText } from './runRow';

type Node =
  | { kind: 'day'; label: string; runs: RunSummary[]; expanded: boolean }
  | { kind: 'run'; run: RunSummary }
  | { kind: 'unreadableGroup'; items: UnreadableRun[] }
  | { kind: 'unreadable'; item: UnreadableRun };

export type ExperimentNode = Node;

// One formatter for every label: building one per call (toLocaleDateString with options) costs
// ~0.1 ms, which adds up to most of the time of a 10 000-run history.
const DAY_FORMAT = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** Local midnight of a date, as a number (the key of its day). */
function dayStart(d: Date): number {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function dayLabel(start: number, today: number): string {
  if (!Number.isFinite(start)) return 'Unknown date';
  const diff = Math.round((today - start) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return DAY_FORMAT.format(new Date(start));
}

export { tasksSummary } from './runRow';

const STATUS_ICON: Record<string, vscode.ThemeIcon> = {
  complete: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  cancelled: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

/** A refresh this soon after the store's own save or delete is taken to be about that change. */
const OWN_CHANGE_MS = 2000;
/** Saves in a burst (experiment checkpoints) redraw the tree once. */
const REDRAW_MS = 100;

/**
 * The Experiments view: run history grouped by day, newest first; unreadable files listed apart.
 * It shows the store's in-memory listing, redrawn when the store reports a change; `refresh()`
 * re-lists the folder (other windows, a git pull) unless it follows the store's own change.
 */
export class ExperimentsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private listing?: Promise<HistoryListing>;
  private watched?: { store: HistoryStore; subscription: { dispose(): void } };
  private ownChangeAt = -Infinity;
  private redraw?: ReturnType<typeof setTimeout>;

  /** `running(id)`: the run is being measured in this window (its history file is a checkpoint). */
  constructor(
    private store: () => HistoryStore,
    private readonly running: (id: string) => boolean = () => false,
  ) {}

  refresh(): void {
    const store = this.current();
    if (performance.now() - this.ownChangeAt < OWN_CHANGE_MS) {
      this.ownChangeAt = -Infinity; // the store already knows; the next refresh re-lists
      return;
    }
    this.listing = store.list().catch((): HistoryListing => ({ runs: [], unreadable: [] }));
    this.changed.fire(undefined);
  }

  runs(): Promise<HistoryListing> {
    this.listing ??= this.current().listing().catch((): HistoryListing => ({ runs: [], unreadable: [] }));
    return this.listing;
  }

  /** The store of the moment (the history location can change), subscribed to. */
  private current(): HistoryStore {
    const store = this.store();
    if (this.watched?.store === store) return store;
    this.watched?.subscription.dispose();
    this.listing = undefined;
    this.watched = { store, subscription: store.onDidChange((change) => this.storeChanged(change)) };
    return store;
  }

  private storeChanged(change: HistoryChange): void {
    if (change !== 'list') this.ownChangeAt = performance.now();
    if (this.redraw) return;
    this.redraw = setTimeout(() => {
      this.redraw = undefined;
      this.listing = undefined;
      this.changed.fire(undefined);
    }, REDRAW_MS);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const { runs, unreadable } = await this.runs();
      const days = new Map<number, RunSummary[]>();
      for (const run of runs) {
        const start = dayStart(new Date(run.createdAt));
        const list = days.get(start);
        if (list) list.push(run);
        else days.set(start, [run]);
      }
      const today = dayStart(new Date());
      // The newest day, today and yesterday open; older days closed, so a long history costs
      // only the rows that are shown.
      const groups: Node[] = [...days.entries()].map(([start, list], i) => ({ kind: 'day', label: dayLabel(start, today), runs: list, expanded: i === 0 || today - start <= 86_400_000 }));
      if (unreadable.length > 0) groups.push({ kind: 'unreadableGroup', items: unreadable });
      return groups;
    }
    if (node.kind === 'day') return node.runs.map((run) => ({ kind: 'run', run }));
    if (node.kind === 'unreadableGroup') return node.items.map((item) => ({ kind: 'unreadable', item }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'day': {
        const item = new vscode.TreeItem(node.label, node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.description = `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
        item.contextValue = 'day';
        return item;
      }
      case 'unreadableGroup': {
        const item = new vscode.TreeItem('Unreadable files', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('warning');
        item.description = String(node.items.length);
        return item;
      }
      case 'unreadable': {
        const item = new vscode.TreeItem(node.item.file, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        item.description = 'unreadable';
        item.tooltip = node.item.error;
        item.contextValue = 'unreadable';
        return item;
      }
      case 'run': {
        const run = node.run;
        const { label, description } = runRowText(run);
        const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
        item.id = run.id;
        if (this.running(run.id)) {
          item.iconPath = new vscode.ThemeIcon('sync~spin');
          item.description = `running… · ${description}`;
          item.tooltip = `${run.model} — being measured; checkpointed every few seconds.\n${run.file}`;
          item.contextValue = `run.${run.kind}.running`;
          item.command = { command: 'superposition.openRun', title: 'Open Run', arguments: [node] };
          item.accessibilityInformation = { label: `Run ${label}, ${description}, running` };
          return item;
        }
        item.iconPath = run.kind === 'analysis' || run.status !== 'complete' ? (STATUS_ICON[run.status] ?? new vscode.ThemeIcon('circle-outline')) : new vscode.ThemeIcon(run.kind === 'scaling' ? 'graph-line' : 'graph-scatter', new vscode.ThemeColor('testing.iconPassed'));
        item.description = description;
        const tooltip = new vscode.MarkdownString(undefined, true);
        tooltip.appendText(`${run.model} — ${run.method}, ${run.status}\n${run.tasks.join(', ')}\n${run.headline}\n${run.source ?? ''}\n${run.file}`);
        item.tooltip = tooltip;
        item.contextValue = run.kind === 'analysis' ? `run.${run.status}` : `run.${run.kind}.${run.status}`;
        item.command = { command: 'superposition.openRun', title: 'Open Run', arguments: [node] };
        item.accessibilityInformation = { label: `Run ${label}, ${description}, ${run.status}` };
        return item;
      }
    }
  }

  dispose(): void {
    clearTimeout(this.redraw);
    this.watched?.subscription.dispose();
    this.changed.dispose();
  }
}
