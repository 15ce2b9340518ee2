/**
 * End-to-end harness: the real VS Code workbench (code-server 4.139.1 = VS Code 1.139.1, with a
 * real Node extension host) driven by playwright-core through Debian's Chromium.
 * Recipe and pitfalls: /work/shared/reference/vscode-e2e.md. Tools: `bash scripts/e2e-tools.sh`.
 *
 *   const vs = await startVsCode({ copyWorkspaceFrom: 'examples', env: { OLLAMA_HOST: url } });
 *   await vs.openFile('word.txt'); await vs.selectAll(); await vs.waitForSelectionStatus();
 *   await vs.rightClickEditorAndChoose('Analyze Selection');
 *   const frame = await vs.findWebviewFrame(async (f) => (await f.$('#distribution-table')) !== null);
 *   await vs.close();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type ElementHandle, type Frame, type Locator, type Page } from 'playwright-core';
import { baseSettings, ensureVsix, killGroup, loadTools, repoRoot } from './tools';

export { baseSettings, ensureVsix, loadTools, repoRoot, toolsCacheDir, type E2eTools } from './tools';
export const resultsDir = join(repoRoot, 'test-results');

// ── session ─────────────────────────────────────────────────────────────────────────────────────

export interface StartOptions {
  /** Folder to open as is. */
  workspace?: string;
  /** Copies this folder (relative to the repo or absolute; without its .superposition/ history) into the temp dir and opens the copy. */
  copyWorkspaceFrom?: string;
  /** .vsix to install; `false` = none. Default: ensureVsix(). */
  vsix?: string | false;
  /** Added to code-server's environment (reaches the extension host), e.g. OLLAMA_HOST. */
  env?: Record<string, string>;
  /** Merged over baseSettings into <user-data-dir>/User/settings.json. */
  extraSettings?: Record<string, unknown>;
  /** Used in screenshot names and logs. */
  name?: string;
  /** Default 1440×900. */
  viewport?: { width: number; height: number };
  /** Waits for the activity-bar entry with this title after the workbench loads (e.g. 'Superposition'). */
  waitForActivity?: string;
  /** Default 60 s. */
  startTimeoutMs?: number;
}

const HEADLESS_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TreeItem {
  label: string;
  description: string;
  ariaLabel: string;
  level: number;
  expanded: boolean | undefined;
}

export class VsCodeSession {
  private closed = false;
  readonly name: string;

  constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    readonly server: ChildProcess,
    readonly port: number,
    readonly url: string,
    /** Temp root: HOME, TMPDIR, user-data-dir, extensions-dir, Chromium profile, workspace copy. */
    readonly tmp: string,
    readonly workspace: string,
    readonly userDataDir: string,
    private readonly serverLog: string[],
    name: string,
  ) {
    this.name = name;
  }

  // ── editors ──

  /** The active editor group (scope locators here: pitfall 5). */
  activeGroup(): Locator {
    return this.page.locator('.editor-group-container.active');
  }

  activeEditor(): Locator {
    return this.activeGroup().locator('.monaco-editor').first();
  }

  /** Opens a workspace file through Quick Open and waits until its editor has focus. */
  async openFile(rel: string): Promise<void> {
    const base = rel.split(/[\\/]/).pop() ?? rel;
    // A file created a moment ago may not be in Quick Open's index yet: ask again a few times.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Control+P');
      const input = this.quickInput();
      await input.waitFor({ state: 'visible' });
      await input.fill(rel);
      const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: base }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: attempt < 3 ? 10_000 : 30_000 });
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.page.keyboard.press('Escape');
        continue;
      }
      await input.press('Enter');
      break;
    }
    await this.activeGroup().locator(`.tab.active[data-resource-name="${cssString(base)}"]`).waitFor({ state: 'visible' });
    await this.activeEditor().locator('.view-lines').waitFor({ state: 'visible' });
    await this.focusEditor();
  }

  /** Clicks into the active editor (cursor to its first visible line) and waits for its focus. */
  async focusEditor(): Promise<void> {
    // On a text line, not at the top of the view: a CodeLens above line 1 would take the click.
    const line = this.activeEditor().locator('.view-line').first();
    if ((await line.count()) > 0) await line.click({ position: { x: 2, y: 5 } });
    else await this.activeEditor().locator('.view-lines').click({ position: { x: 5, y: 5 } });
    await this.activeGroup().locator('.monaco-editor.focused').first().waitFor({ state: 'visible' });
  }

  /** Selects the whole document of the active editor. */
  async selectAll(): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+A');
  }

  /** Selects lines from..to (1-based, inclusive; the selection ends at the start of line to+1). */
  async selectLines(from: number, to: number): Promise<void> {
    await this.focusEditor();
    await this.page.keyboard.press('Control+Home');
    for (let i = 1; i < from; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Home');
    await this.page.keyboard.down('Shift');
    for (let i = from; i <= to; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.up('Shift');
  }

  /**
   * Waits for the status bar's "(N selected)" (pitfall 4) — equal to `expected` when given, else
   * the same N for three polls in a row (the item updates asynchronously) — and returns N.
   */
  async waitForSelectionStatus(expected?: number, timeoutMs = 10_000): Promise<number> {
    const item = this.page.locator('.part.statusbar [id="status.editor.selection"]');
    const deadline = Date.now() + timeoutMs;
    let last: number | undefined;
    let same = 0;
    for (;;) {
      const text = (await item.textContent().catch(() => null)) ?? '';
      const m = /\((\d[\d,.]*) selected\)/.exec(text);
      const n = m?.[1] ? Number(m[1].replace(/[,.]/g, '')) : undefined;
      same = n !== undefined && n === last ? same + 1 : 0;
      last = n;
      if (n !== undefined && (expected === undefined ? same >= 2 : n === expected)) return n;
      if (Date.now() > deadline) throw new Error(`no "(${expected ?? 'N'} selected)" in the status bar (got "${text}")`);
      await this.page.waitForTimeout(100);
    }
  }

  /** Screen box of the first non-empty piece of the active editor's rendered selection. */
  async selectionBox(): Promise<{ x: number; y: number; width: number; height: number } | undefined> {
    const pieces = this.activeEditor().locator('.view-overlays .selected-text');
    const deadline = Date.now() + 5000;
    for (;;) {
      const n = await pieces.count();
      for (let i = 0; i < n; i++) {
        const box = await pieces.nth(i).boundingBox();
        if (box && box.width > 0 && box.height > 0) return box;
      }
      if (Date.now() > deadline) return undefined;
      await this.page.waitForTimeout(100);
    }
  }

  // ── commands and menus ──

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** Runs a command by its palette title (e.g. "Superposition: Analyze Selection") through F1. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput();
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    const loose = rows.filter({ hasText: title }).first();
    await loose.waitFor({ state: 'visible' });
    // Prefer the row whose label is exactly the title (another command's title may contain it).
    const exact = rows.filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) });
    const row = (await exact.count()) > 0 ? exact.first() : loose;
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  /**
   * Right-clicks the current selection of the active editor (or its first line) and chooses
   * `label` from the context menu (pitfall 2: wait for the item, 300 ms, click, wait for close).
   * `screenshot`: name of a screenshot taken while the menu is open.
   */
  async rightClickEditorAndChoose(label: string, opts: { screenshot?: string } = {}): Promise<void> {
    const box = (await this.selectionBox()) ?? (await this.activeEditor().locator('.view-lines .view-line').first().boundingBox());
    if (!box) throw new Error('nothing to right-click in the active editor');
    await this.page.mouse.click(box.x + Math.min(box.width / 2, 40), box.y + box.height / 2, { button: 'right' });
    await this.chooseMenuItem(label, opts);
  }

  /** Chooses an item of the context menu that is opening (shadow DOM is pierced by getByRole). */
  async chooseMenuItem(label: string, opts: { screenshot?: string } = {}): Promise<void> {
    const item = this.page.getByRole('menuitem', { name: label, exact: false }).first();
    await item.waitFor({ state: 'visible' });
    await this.page.waitForTimeout(300); // documented: menus ignore clicks during their first ~100 ms
    if (opts.screenshot) await this.screenshot(opts.screenshot);
    await item.click();
    await item.waitFor({ state: 'hidden' });
  }

  // ── webviews ──

  /**
   * The inner frame (the extension's HTML) of a webview: each webview is an outer
   * `iframe.webview.ready` holding `#active-frame` (pitfall 3); the first whose content satisfies
   * `predicate` wins. Polls until `timeoutMs`.
   */
  async findWebviewFrame(predicate: (frame: Frame) => Promise<boolean>, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of await this.webviewFrames()) {
        if (await predicate(frame).catch(() => false)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no webview frame matched within ${timeoutMs} ms`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Waits until no webview is open (e.g. after closing the editors). */
  async waitForNoWebviews(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.webviewFrames()).length > 0) {
      if (Date.now() > deadline) throw new Error(`webviews still open after ${timeoutMs} ms`);
      await this.page.waitForTimeout(100);
    }
  }

  /** Inner frames of every ready webview. */
  async webviewFrames(): Promise<Frame[]> {
    const out: Frame[] = [];
    const outers = await this.page.$$('iframe.webview.ready');
    for (const outer of outers) {
      const outerFrame = await outer.contentFrame().catch(() => null);
      const inner: ElementHandle | null = outerFrame ? await outerFrame.$('#active-frame').catch(() => null) : null;
      const frame = inner ? await inner.contentFrame().catch(() => null) : null;
      if (frame) out.push(frame);
    }
    return out;
  }

  // ── side bar ──

  /** Opens the activity-bar container titled `title` (no-op when it is already showing). */
  async openActivityBar(title: string): Promise<void> {
    const item = this.activityItem(title);
    await item.waitFor({ state: 'visible' });
    const selected = await item.evaluate((a) => a.closest('.action-item')?.getAttribute('aria-selected') === 'true');
    if (!selected) await item.click();
    await this.page.locator('.part.sidebar .composite.title', { hasText: title }).first().waitFor({ state: 'visible' });
  }

  /** The activity-bar entry (its label is the title, possibly followed by a keybinding). */
  activityItem(title: string): Locator {
    return this.page
      .locator(`.part.activitybar .action-item a.action-label[aria-label="${cssString(title)}"], .part.activitybar .action-item a.action-label[aria-label^="${cssString(title)} ("]`)
      .first();
  }

  /** The side-bar pane (view) titled `viewTitle`, expanded. */
  async view(viewTitle: string): Promise<Locator> {
    const pane = this.page
      .locator('.part.sidebar .pane', { has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${escapeRegExp(viewTitle)}\\s*$`, 'i') }) })
      .first();
    await pane.waitFor({ state: 'visible' });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.locator('.pane-body').waitFor({ state: 'visible' });
    return pane;
  }

  /** Rows currently rendered in a tree view (visible part of the tree). */
  async treeItems(viewTitle: string): Promise<TreeItem[]> {
    const pane = await this.view(viewTitle);
    return pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) =>
      rows.map((row) => ({
        label: (row.querySelector('.label-name')?.textContent ?? row.textContent ?? '').trim(),
        description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
        ariaLabel: row.getAttribute('aria-label') ?? '',
        level: Number(row.getAttribute('aria-level') ?? '1'),
        expanded: row.hasAttribute('aria-expanded') ? row.getAttribute('aria-expanded') === 'true' : undefined,
      })),
    );
  }

  /** Waits until a row of the tree whose label or aria-label matches `match` appears; returns it. */
  async waitForTreeItem(viewTitle: string, match: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const pane = await this.view(viewTitle);
    const re = typeof match === 'string' ? new RegExp(escapeRegExp(match)) : match;
    const row = pane.locator('.pane-body .monaco-list-row').filter({ hasText: re }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    return row;
  }

  // ── notifications ──

  /** Visible notification toasts (message text; buttons listed separately). */
  async notifications(): Promise<Array<{ message: string; buttons: string[]; source: string }>> {
    return this.page.locator('.notifications-toasts .notification-toast').evaluateAll((toasts) =>
      toasts.map((t) => ({
        message: (t.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
        buttons: [...t.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => (b.textContent ?? '').trim()),
        source: (t.querySelector('.notification-list-item-source')?.textContent ?? '').trim(),
      })),
    );
  }

  /** Waits for a toast whose message matches; returns its locator. */
  async waitForNotification(match: string | RegExp, timeoutMs = 30_000): Promise<Locator> {
    const re = typeof match === 'string' ? new RegExp(escapeRegExp(match)) : match;
    const toast = this.page.locator('.notifications-toasts .notification-toast').filter({ hasText: re }).first();
    await toast.waitFor({ state: 'visible', timeout: timeoutMs });
    await this.waitForStableBox(toast); // toasts slide in
    return toast;
  }

  /** Waits until an element's box stops moving (animations), at most `timeoutMs`. */
  async waitForStableBox(locator: Locator, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const box = JSON.stringify(await locator.boundingBox().catch(() => null));
      if (box !== 'null' && box === last) return;
      if (Date.now() > deadline) return;
      last = box;
      await this.page.waitForTimeout(100);
    }
  }

  // ── misc ──

  /** Closes every editor (isolation between tests: pitfall 5). */
  async closeAllEditors(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.runCommand('View: Close All Editor Groups');
    await this.page.locator('.editor-group-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  /** PNG into <repo>/test-results/<name>.png; returns the path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** code-server's output and the tail of the extension-host logs (for failure messages). */
  diagnostics(maxChars = 6000): string {
    const parts = [`── code-server output ──\n${this.serverLog.join('').slice(-maxChars)}`];
    for (const file of findFiles(join(this.userDataDir, 'logs'), (f) => /exthost|Superposition|superposition/i.test(f))) {
      try {
        parts.push(`── ${file} ──\n${readFileSync(file, 'utf8').slice(-maxChars)}`);
      } catch {
        /* rotated away */
      }
    }
    return parts.join('\n');
  }

  /** Closes Chromium, kills code-server's process group (SIGTERM, SIGKILL after 3 s), removes the temp dir. */
  async close(opts: { keepTemp?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.close().catch(() => undefined);
    await killGroup(this.server);
    if (!opts.keepTemp && !process.env['SUPERPOSITION_E2E_KEEP']) rmSync(this.tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Starts code-server with the extension installed, opens the workbench in Chromium, waits for it. */
export async function startVsCode(opts: StartOptions = {}): Promise<VsCodeSession> {
  const tools = loadTools();
  const name = opts.name ?? 'e2e';
  const tmp = mkdtempSync(join(tmpdir(), `superposition-e2e-${name.replace(/[^\w-]+/g, '-')}-`));
  const home = join(tmp, 'home');
  const tmpDir = join(tmp, 'tmp');
  const userDataDir = join(tmp, 'user-data');
  const extensionsDir = join(tmp, 'extensions');
  const profile = join(tmp, 'chromium-profile');
  for (const d of [home, tmpDir, join(userDataDir, 'User'), extensionsDir, profile]) mkdirSync(d, { recursive: true });

  let workspace = opts.workspace ? resolve(repoRoot, opts.workspace) : join(tmp, 'workspace');
  if (opts.copyWorkspaceFrom) {
    workspace = join(tmp, 'workspace');
    // Leave out run history a previous `npm start` may have written there.
    cpSync(resolve(repoRoot, opts.copyWorkspaceFrom), workspace, { recursive: true, filter: (src) => !/[\\/]\.superposition$/.test(src) });
  } else if (!opts.workspace) {
    mkdirSync(workspace, { recursive: true });
  }

  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...baseSettings, ...opts.extraSettings }, null, 2));
  const config = join(tmp, 'code-server.yaml');
  writeFileSync(config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    TMPDIR: tmpDir,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    ...opts.env,
  };
  // Node 20's test runner sets these for its children; they must not leak into VS Code's processes.
  delete env['NODE_OPTIONS'];
  delete env['NODE_TEST_CONTEXT'];
  delete env['VSCODE_IPC_HOOK_CLI'];
  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];

  const vsix = opts.vsix === undefined ? ensureVsix() : opts.vsix;
  if (vsix) {
    const r = spawnSync(tools.node24, [tools.codeServerEntry, '--config', config, ...dirs, '--install-extension', vsix, '--force'], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0 || !/successfully installed/i.test(`${r.stdout}${r.stderr}`)) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`installing ${vsix} into code-server failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  const serverLog: string[] = [];
  const server = spawn(
    tools.node24,
    [
      tools.codeServerEntry,
      '--config',
      config,
      ...dirs,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      workspace,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (server.pid !== undefined) {
    const pid = server.pid;
    liveServers.add(pid);
    server.once('exit', () => liveServers.delete(pid));
  }
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let port: number;
  try {
    port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not report its port within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk: Buffer): void => {
        serverLog.push(chunk.toString());
        const m = /HTTP server listening on https?:\/\/[^\s:]+:(\d+)/.exec(serverLog.join(''));
        if (m?.[1]) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      };
      server.stdout?.on('data', onData);
      server.stderr?.on('data', onData);
      server.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (${code ?? signal}) before listening`));
      });
      server.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } catch (e) {
    await killGroup(server);
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${serverLog.join('').slice(-4000)}`);
  }
  // Keep draining (an unread pipe would block code-server), bounded.
  const keep = (chunk: Buffer): void => {
    serverLog.push(chunk.toString());
    if (serverLog.length > 2000) serverLog.splice(0, 1000);
  };
  server.stdout?.removeAllListeners('data').on('data', keep);
  server.stderr?.removeAllListeners('data').on('data', keep);

  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: tools.chromium,
      headless: true,
      args: HEADLESS_ARGS,
      viewport: opts.viewport ?? { width: 1440, height: 900 },
      env: { ...env, HOME: home, TMPDIR: tmpDir } as Record<string, string>,
      timeout: timeoutMs,
    });
    context.setDefaultTimeout(30_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
    await page.goto(url, { timeout: timeoutMs });
    const session = new VsCodeSession(page, context, server, port, url, tmp, workspace, userDataDir, serverLog, name);
    try {
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
      await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
      await page.locator('.monaco-workbench .part.sidebar .composite.title').first().waitFor({ state: 'visible', timeout: timeoutMs }).catch(() => undefined);
      if (opts.waitForActivity) await session.activityItem(opts.waitForActivity).waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (e) {
      await session.screenshot(`${name}-startup-failure`).catch(() => undefined);
      const diag = session.diagnostics();
      await session.close();
      throw new Error(`${(e as Error).message}\n${diag}`);
    }
    return session;
  } catch (e) {
    await context?.close().catch(() => undefined);
    await killGroup(server);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Runs a test body; on failure saves `test-results/<name>-failure.png` and appends code-server's
 * output and the extension-host log tail to the error.
 */
export async function captureOnFailure<T>(vs: VsCodeSession | undefined, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!vs) throw e;
    const shot = await vs.screenshot(`${name}-failure`).catch(() => undefined);
    const err = e instanceof Error ? e : new Error(String(e));
    err.message += `${shot ? `\nscreenshot: ${shot}` : ''}\n${vs.diagnostics(3000)}`;
    throw err;
  }
}

// Kill leftover code-server groups if the test process ends without close() (crash, timeout).
const liveServers = new Set<number>();
function killLeftovers(): void {
  for (const pid of liveServers) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  liveServers.clear();
}
process.once('exit', killLeftovers);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killLeftovers();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  });
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function findFiles(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    try {
      if (statSync(p).isDirectory()) findFiles(p, keep, out);
      else if (keep(p)) out.push(p);
    } catch {
      /* vanished */
    }
  }
  return out;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}
