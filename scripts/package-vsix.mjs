// Builds the production bundles and packages dist/superposition-lab.vsix with @vscode/vsce 3.x.
//
//   node scripts/package-vsix.mjs [--no-build] [--out <file>]
//
// Everything the extension needs is bundled by esbuild, so the package has no node_modules
// (`dependencies: false`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVSIX } from '@vscode/vsce';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { build: true, out: join(root, 'dist', 'superposition-lab.vsix') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') opts.build = false;
    else if (a === '--out') opts.out = resolve(argv[++i] ?? '');
    else if (a?.startsWith('--out=')) opts.out = resolve(a.slice('--out='.length));
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * @param {{ build?: boolean, out?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<string>} the .vsix path
 */
export async function packageVsix(options = {}) {
  const log = options.log ?? ((line) => console.log(`[package-vsix] ${line}`));
  const out = options.out ?? join(root, 'dist', 'superposition-lab.vsix');
  const started = Date.now();
  if (options.build !== false) {
    const r = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`node esbuild.mjs --production failed (${r.status ?? r.signal})`);
  }
  mkdirSync(dirname(out), { recursive: true });
  await createVSIX({ cwd: root, packagePath: out, dependencies: false });
  log(`${out} (${(statSync(out).size / 1024).toFixed(0)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await packageVsix(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`[package-vsix] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
