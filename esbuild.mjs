// Bundles the extension (node, cjs, `vscode` external), the webview (browser) and the CLI.
import { context, build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/**
 * zod 4 attaches a JSON-Schema generator to every schema it creates, so its generator modules end
 * up in every bundle (~17 KB) although no bundle ever generates JSON Schema: the editor's schema
 * file is generated at build time by scripts/gen-schema.ts, outside the bundles. This plugin swaps
 * those two modules for stubs with the same exports that throw if they are ever called.
 */
const zodWithoutJsonSchema = {
  name: 'zod-without-json-schema',
  setup(b) {
    const zodCore = join(dirname(createRequire(import.meta.url).resolve('zod/package.json')), 'v4', 'core');
    const stubs = new Map(
      ['to-json-schema.js', 'json-schema-processors.js'].map((file) => {
        const source = readFileSync(join(zodCore, file), 'utf8');
        const names = [...source.matchAll(/^export (?:function|const|class) (\w+)/gm)].map((m) => m[1]);
        const aliases = [...source.matchAll(/^export \{ (\w+) as (\w+) \}/gm)].map((m) => m[2]);
        // The two method factories run when a schema's `~standard` getter is read: they must return a
        // function (that throws when called). Everything else throws at once, so nothing returns a wrong value.
        const body = [...names, ...aliases]
          .map((n) => (/^create\w*Method$/.test(n) ? `export const ${n} = () => () => fail('${n}');` : `export const ${n} = () => fail('${n}');`))
          .join('\n');
        return [join(zodCore, file), `function fail(name) { throw new Error('JSON Schema generation (zod ' + name + ') is not part of this bundle.'); }\n${body}\n`];
      }),
    );
    b.onLoad({ filter: /zod[\\/]v4[\\/]core[\\/](to-json-schema|json-schema-processors)\.js$/ }, (args) => {
      const contents = stubs.get(args.path);
      return contents === undefined ? undefined : { contents, loader: 'js' };
    });
  },
};

/**
 * The webview validates messages with zod but never shows zod's messages (an invalid message is
 * dropped), so its bundle carries a one-line English locale instead of zod's full one.
 */
const zodTerseLocale = {
  name: 'zod-terse-locale',
  setup(b) {
    b.onLoad({ filter: /zod[\\/]v4[\\/]locales[\\/]en\.js$/ }, () => ({
      contents: "export default function () { return { localeError: (issue) => 'Invalid input (' + issue.code + ')' }; }\n",
      loader: 'js',
    }));
  },
};

/** ollama's entry imports the whatwg-fetch polyfill; Node ≥ 18 has fetch and our client passes its own. */
const noFetchPolyfill = {
  name: 'no-fetch-polyfill',
  setup(b) {
    b.onResolve({ filter: /^whatwg-fetch$/ }, () => ({ path: 'whatwg-fetch', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [zodWithoutJsonSchema, noFetchPolyfill],
  },
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [zodWithoutJsonSchema, noFetchPolyfill],
  },
  {
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    plugins: [zodWithoutJsonSchema, zodTerseLocale],
  },
  {
    entryPoints: ['src/webview/styles.css'],
    outfile: 'dist/webview.css',
    loader: { '.css': 'css' },
  },
].filter((t) => t.entryPoints.every((e) => existsSync(e)));

for (const options of targets) {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', ...options };
  if (watch) {
    const ctx = await context(common);
    await ctx.watch();
  } else {
    await build(common);
  }
}
