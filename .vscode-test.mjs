// @vscode/test-cli configuration (`npx vscode-test`): extension-host integration tests in a
// *desktop* VS Code that @vscode/test-electron downloads from update.code.visualstudio.com.
//
// Not part of `npm test`: CI machines (and the dev containers) reach only the npm registry and
// Debian's mirrors, so the download fails with ENOTFOUND and no desktop build exists on npm/apt.
// CI therefore tests in real VS Code through code-server (the same workbench + a real Node
// extension host, from npm) driven by Chromium — see test/e2e/ and scripts/e2e-tools.sh.
//
// Use it where VS Code can be downloaded: compile integration tests written against the `vscode`
// API (Mocha, `suite`/`test`) to out/test/integration/**/*.test.js, then `npx vscode-test`.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  // The VS Code inside code-server 4.139.1 (what CI's e2e runs); `engines.vscode` must not be newer.
  version: '1.139.1',
  workspaceFolder: './examples',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000 },
});
