// Builds the production bundles and packages dist/superposition-lab.vsix with @vscode/vsce 3.x.
//
//   node scripts/package-vsix.mjs [--no-build] [--out <file>] [--allow-missing-main]
//
// Everything the extension needs is bundled by esbuild, so the package has no node_modules
// (`dependencies: false`). When there is no LICENSE file vsce would ask "Do you want to continue?"
// on stdin; this script then passes `skipLicense` and says so.
// --allow-missing-main: while src/extension/ does not exist yet, package a copy of the project
// whose dist/extension.js is a no-op stub (the manifest's views/commands still appear), staged in
// a temp folder — the working tree is not touched.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVSIX } from '@vscode/vsce';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { build: true, out: join(root, 'dist', 'superposition-lab.vsix'), allowMissingMain: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') opts.build = false;
    else if (a === '--allow-missing-main') opts.allowMissingMain = true;
    else if (a === '--out') opts.out = resolve(argv[++i] ?? '');
    else if (a?.startsWith('--out=')) opts.out = resolve(a.slice('--out='.length));
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * @param {{ build?: boolean, out?: string, allowMissingMain?: boolean, log?: (line: string) => void }} [options]
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
  const main = join(root, 'dist', 'extension.js');
  let cwd = root;
  let stage;
  if (!existsSync(main)) {
    if (!options.allowMissingMain) {
      throw new Error('dist/extension.js is missing (src/extension/extension.ts not built); pass --allow-missing-main to package a stub');
    }
    stage = mkdtempSync(join(tmpdir(), 'superposition-vsix-'));
    for (const f of ['package.json', '.vscodeignore', 'README.md', 'LICENSE', 'CHANGELOG.md', 'media', 'schemas', 'examples', 'dist']) {
      if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f), { recursive: true, filter: (src) => !src.endsWith('.vsix') });
    }
    mkdirSync(join(stage, 'dist'), { recursive: true });
    writeFileSync(
      join(stage, 'dist', 'extension.js'),
      "'use strict';\n// STUB packaged by scripts/package-vsix.mjs --allow-missing-main (no src/extension yet).\n" +
        'exports.activate = function () {};\nexports.deactivate = function () {};\n',
    );
    cwd = stage;
    log('WARNING: dist/extension.js missing — packaging a STUB extension (manifest contributions only)');
  }
  const skipLicense = !['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => existsSync(join(cwd, f)));
  if (skipLicense) log('no LICENSE file: packaging with skipLicense');
  mkdirSync(dirname(out), { recursive: true });
  try {
    await createVSIX({ cwd, packagePath: out, dependencies: false, skipLicense });
  } finally {
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
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
