/**
 * The production bundles, built into a temporary folder (dist/ of the repository is left alone):
 * `node esbuild.mjs --production` run in a folder whose `src` and `esbuild.mjs` are links to the
 * repository's, so the build is exactly the one scripts/package-vsix.mjs ships. Also bundles the
 * bench's memory child, so that it runs on plain node (no tsx loader thread in its memory).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './scenario';

export interface ProductionBuild {
  dir: string;
  dist: string;
  sizes: { extension: number; webviewJs: number; webviewCss: number; cli: number };
  memoryChild: string;
  buildMs: number;
}

export async function productionBuild(): Promise<ProductionBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'superposition-bench-'));
  symlinkSync(join(repoRoot, 'src'), join(dir, 'src'));
  symlinkSync(join(repoRoot, 'esbuild.mjs'), join(dir, 'esbuild.mjs'));
  const started = performance.now();
  const r = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node esbuild.mjs --production failed:\n${r.stdout}\n${r.stderr}`);
  const buildMs = performance.now() - started;
  const dist = join(dir, 'dist');
  const size = (name: string) => statSync(join(dist, name)).size;
  const memoryChild = join(dir, 'memoryChild.js');
  await build({
    entryPoints: [join(__dirname, 'memoryChild.ts')],
    outfile: memoryChild,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return { dir, dist, sizes: { extension: size('extension.js'), webviewJs: size('webview.js'), webviewCss: size('webview.css'), cli: size('cli.js') }, memoryChild, buildMs };
}
