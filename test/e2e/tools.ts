/**
 * E2E tool discovery shared by test/e2e/harness.ts and scripts/start.ts (no Playwright here):
 * the env file written by scripts/e2e-tools.sh, .vsix packaging, quiet workbench settings,
 * process-group shutdown.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

// ── tools ───────────────────────────────────────────────────────────────────────────────────────

export interface E2eTools {
  node24: string;
  codeServerEntry: string;
  codeServerVersion: string;
  vscodeVersion: string;
  chromium: string;
}

export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SUPERPOSITION_E2E_CACHE'] || join(env['HOME'] || homedir(), '.cache', 'superposition-lab-e2e');
}

/** Reads `<cache>/env.json` written by scripts/e2e-tools.sh; throws a clear message when missing. */
export function loadTools(env: NodeJS.ProcessEnv = process.env): E2eTools {
  const file = join(toolsCacheDir(env), 'env.json');
  const hint = 'run `bash scripts/e2e-tools.sh` first (installs Chromium, Node 24 and code-server for the e2e tests)';
  if (!existsSync(file)) throw new Error(`E2E tools not installed (${file} missing): ${hint}`);
  const tools = JSON.parse(readFileSync(file, 'utf8')) as E2eTools;
  for (const key of ['node24', 'codeServerEntry', 'chromium'] as const) {
    if (!tools[key] || !existsSync(tools[key])) throw new Error(`E2E tools incomplete (${key}: ${tools[key]} missing): ${hint}`);
  }
  return tools;
}

let packaged: string | undefined;

/**
 * The .vsix to install: $SUPERPOSITION_E2E_VSIX when set, else builds and packages
 * dist/superposition-lab.vsix once per process (scripts/package-vsix.mjs, ~1 s).
 */
export function ensureVsix(): string {
  const given = process.env['SUPERPOSITION_E2E_VSIX'];
  if (given) return resolve(given);
  if (packaged) return packaged;
  const out = join(repoRoot, 'dist', 'superposition-lab.vsix');
  const args = [join(repoRoot, 'scripts', 'package-vsix.mjs'), '--out', out];
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging the .vsix failed:\n${r.stdout}\n${r.stderr}`);
  packaged = out;
  return out;
}


// ── settings ────────────────────────────────────────────────────────────────────────────────────

/** Quiet, trusted, offline workbench (see the recipe's pitfall 1). */
export const baseSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  'editor.minimap.enabled': false,
  'workbench.editor.enablePreview': false,
};

// ── processes ───────────────────────────────────────────────────────────────────────────────────

/** SIGTERM to the child's process group (spawned `detached`), SIGKILL after `graceMs`. */
export async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
