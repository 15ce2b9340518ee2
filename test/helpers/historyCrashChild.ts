// A history writer for test/unit/historyCrash.test.ts, bundled to one .cjs file and killed with
// SIGKILL at random points. It saves records into DIR in a loop and prints each id on stdout only
// once save() has resolved (stdout to a pipe is synchronous on Linux: a printed id has left the
// process before the next write starts).
import { HistoryStore } from '../../src/core/history';
import { crashRecord } from './historyRecords';

async function main(): Promise<void> {
  const [dir, prefix] = process.argv.slice(2);
  if (!dir || !prefix) throw new Error('usage: historyCrashChild DIR PREFIX');
  const store = new HistoryStore(dir);
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    await store.save(crashRecord(id));
    process.stdout.write(`${id}\n`);
    // The index is written a while after a burst of saves: write it now, so kills land in index writes too.
    await store.flush();
    // Extra reconciliations: more index.json writes to be killed in.
    if (i % 3 === 2) await store.list();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
