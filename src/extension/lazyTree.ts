import * as vscode from 'vscode';

/**
 * A tree view provider that loads the real one on first use, so that activation registers the
 * view without loading the engine. Change events of the real provider are forwarded.
 */
export class LazyTreeProvider<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<T | T[] | undefined | null | void>();
  readonly onDidChangeTreeData = this.changed.event;
  private inner?: vscode.TreeDataProvider<T>;
  private subscription?: vscode.Disposable;

  constructor(private readonly load: () => Promise<vscode.TreeDataProvider<T>>) {}

  private async provider(): Promise<vscode.TreeDataProvider<T>> {
    if (!this.inner) {
      const loaded = await this.load();
      if (!this.inner) {
        this.inner = loaded;
        this.subscription = loaded.onDidChangeTreeData?.((e) => this.changed.fire(e));
      }
    }
    return this.inner;
  }

  async getChildren(element?: T): Promise<T[]> {
    return (await (await this.provider()).getChildren(element)) ?? [];
  }

  /** Elements only come from getChildren, which loaded the real provider. */
  async getTreeItem(element: T): Promise<vscode.TreeItem> {
    return (await this.provider()).getTreeItem(element);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.changed.dispose();
  }
}
