// Security policies of the extension that do not need VS Code: the one-time warning for remote
// Ollama hosts, and custom-task tables in restricted mode (untrusted workspaces).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RemoteHostNotices, remoteHostMessage } from '../../src/core/remoteHosts';
import { loadCustomTables } from '../../src/core/tasks/customTable';

test('a remote host is announced once per session, naming the host; local hosts never', () => {
  const acknowledged = new Set<string>(['http://gpu-box.lan:11434']);
  const notices = new RemoteHostNotices((h) => acknowledged.has(h));
  assert.deepEqual(notices.take(['http://127.0.0.1:11434', 'http://localhost:11434', 'http://[::1]:11434']), []);
  assert.deepEqual(notices.take(['http://10.0.0.5:11434', 'http://10.0.0.5:11434', 'http://gpu-box.lan:11434']), ['http://10.0.0.5:11434']);
  assert.deepEqual(notices.take(['http://10.0.0.5:11434']), [], 'not twice in a session');
  assert.deepEqual(notices.take(['https://ollama.example.com', 'http://127.0.0.1:11434']), ['https://ollama.example.com']);
  assert.match(remoteHostMessage('http://10.0.0.5:11434'), /http:\/\/10\.0\.0\.5:11434 is not this machine — your prompts are sent to it/);
});

test('restricted mode: table tasks get an error and no table is read; trusted: tables are read and parsed', async () => {
  const reads: string[] = [];
  const read = async (path: string) => {
    reads.push(path);
    if (path === 'missing.csv') throw new Error('ENOENT');
    return 'input,output\ncat,hat\n';
  };
  const tasks = [{ id: 'rhyme', table: 'tables/rhymes.csv' }, { id: 'inline' }, { id: 'gone', table: 'missing.csv' }];

  const untrusted = await loadCustomTables(tasks, { trusted: false, read });
  assert.deepEqual(reads, []);
  assert.equal(untrusted.tables.size, 0);
  assert.deepEqual(untrusted.diagnostics.map((d) => [d.code, d.severity]), [['untrusted', 'error'], ['untrusted', 'error']]);
  assert.match(untrusted.diagnostics[0]!.message, /disabled in untrusted workspaces \(task 'rhyme'\)\. Trust the workspace/);

  const trusted = await loadCustomTables(tasks, { trusted: true, read });
  assert.deepEqual(reads, ['tables/rhymes.csv', 'missing.csv']);
  assert.equal(trusted.tables.get('rhyme')?.get('cat'), 'hat');
  assert.deepEqual(trusted.diagnostics.map((d) => d.code), ['table']);
  assert.match(trusted.diagnostics[0]!.message, /Cannot read the table of task 'gone' \(missing\.csv\): ENOENT/);
});
