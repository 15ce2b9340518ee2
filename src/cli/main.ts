import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeMix, type Method } from '../core/analyze';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../core/diagnostics';
import { parseMix } from '../core/mix/parse';
import { serializeStructuredMix } from '../core/mix/structured';
import { OllamaClient } from '../core/ollama/client';
import { hostFromEnvironment } from '../core/ollama/host';
import { BUILTIN_TASKS, TASK_SETS } from '../core/tasks/builtin';
import { parseTable } from '../core/tasks/customTable';
import { detectTasks } from '../core/tasks/detect';
import { generateMix } from '../core/tasks/generate';
import { calibrateCommand, CALIBRATE_USAGE, scaleCommand, SCALE_USAGE } from './experiments';
import { formatRecordCsv, formatRecordTable } from './format';
import { commandUsage, didYouMean, isCommand } from './help';
import { EXIT, type CliIo } from './io';

export { EXIT, type CliIo } from './io';

class UsageError extends Error {}

const USAGE = `Superposition Lab — how a local Ollama model spreads its answer over the tasks of a few-shot prompt.

Usage:
  superposition analyze <file|-> --model M [--host URL] [--method auto|logprobs|sampling]
                        [--samples N] [--seed S] [--terminated] [--top-k N] [--concurrency N]
                        [--timeout SECONDS] [--json | --csv] [--fail-if-other-task-above X [--task ID]]
  superposition models [--host URL] [--json]
  superposition generate (--tasks ID,ID… | --set NAME) [--per-task N | --proportions a,b… [--total N]] [--seed S] [--json]
                         --set NAME: a task set of the paper (listed by the tasks command)
  superposition tasks
  ${SCALE_USAGE}
  ${CALIBRATE_USAGE}

Host: --host, else OLLAMA_HOST, else http://127.0.0.1:11434.
Exit codes: 0 ok, 1 threshold failed, 2 usage or input error, 3 server error.`;

function number(value: string | undefined, name: string, { min = -Infinity, integer = false } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, not '${value}'.`);
  return n;
}

function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[], file: string) {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d, file));
}

async function analyzeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' },
      host: { type: 'string' },
      method: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      terminated: { type: 'boolean' },
      'top-k': { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      'fail-if-other-task-above': { type: 'string' },
      task: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('analyze takes one file (or - for standard input).');
  if (!values.model) throw new UsageError('--model is required (see `superposition models`).');
  if (values.json && values.csv) throw new UsageError('--json and --csv exclude each other.');
  const method = (values.method ?? 'auto') as Method;
  if (!['auto', 'logprobs', 'sampling'].includes(method)) throw new UsageError(`--method must be auto, logprobs or sampling, not '${values.method}'.`);
  const threshold = number(values['fail-if-other-task-above'], 'fail-if-other-task-above', { min: 0 });

  let text: string;
  const path = file === '-' ? undefined : resolve(io.cwd, file);
  try {
    text = path ? await readFile(path, 'utf8') : await io.readStdin();
  } catch (err) {
    io.stderr(`error: cannot read ${file}: ${(err as Error).message}`);
    return EXIT.usage;
  }
  const shown = file === '-' ? '<stdin>' : file;
  const parsed = parseMix(text, path);
  if (!parsed.mix || hasErrors(parsed.diagnostics)) {
    printDiagnostics(io, parsed.diagnostics.filter((d) => d.severity === 'error'), shown);
    return EXIT.usage;
  }
  const mix = parsed.mix;
  const tables = new Map<string, Map<string, string>>();
  for (const custom of mix.customTasks ?? []) {
    if (!custom.table) continue;
    const tablePath = resolve(path ? dirname(path) : io.cwd, custom.table);
    let tableText: string;
    try {
      tableText = await readFile(tablePath, 'utf8');
    } catch (err) {
      io.stderr(`${shown}: error: cannot read the table of task '${custom.id}' (${custom.table}): ${(err as Error).message}`);
      return EXIT.usage;
    }
    const table = parseTable(tableText, custom.table);
    if (!table.table) {
      printDiagnostics(io, table.diagnostics, custom.table);
      return EXIT.usage;
    }
    tables.set(custom.id, table.table);
  }
  const detection = detectTasks(mix, { tables });
  if (hasErrors(detection.diagnostics)) {
    printDiagnostics(io, detection.diagnostics.filter((d) => d.severity === 'error'), shown);
    return EXIT.usage;
  }
  if (values.task && !detection.tasks.some((t) => t.id === values.task)) throw new UsageError(`--task ${values.task} is not among the detected tasks (${detection.tasks.map((t) => t.id).join(', ')}).`);

  const client = new OllamaClient({
    host: hostFromEnvironment(values.host, io.env),
    requestTimeoutMs: (number(values.timeout, 'timeout', { min: 1 }) ?? 300) * 1000,
  });
  const record = await analyzeMix(client, mix, detection, {
    model: values.model,
    method,
    samples: number(values.samples, 'samples', { min: 1, integer: true }),
    seed: number(values.seed, 'seed', { integer: true }),
    terminated: values.terminated ?? false,
    topK: number(values['top-k'], 'top-k', { min: 1, integer: true }),
    concurrency: number(values.concurrency, 'concurrency', { min: 1, integer: true }),
    source: path,
  });
  if (values.json) io.stdout(JSON.stringify(record, null, 2));
  else if (values.csv) io.stdout(formatRecordCsv(record).trimEnd());
  else io.stdout(formatRecordTable(record));

  if (record.status !== 'complete') {
    io.stderr(`error: ${record.error?.message ?? record.status}`);
    if (record.error?.nextStep) io.stderr(`next step: ${record.error.nextStep}`);
    return EXIT.server;
  }
  if (threshold !== undefined) {
    const intended = values.task ?? [...record.tasks].sort((a, b) => b.share - a.share)[0]?.id;
    // A gate must not pass on a lower bound: compare the upper end of each interval.
    const offenders = record.tasks.filter((t) => t.id !== intended && t.upper > threshold);
    if (offenders.length > 0) {
      io.stderr(`threshold failed: ${offenders.map((t) => `${t.id} up to ${t.upper.toFixed(4)}`).join(', ')} > ${threshold} (intended task: ${intended})`);
      return EXIT.threshold;
    }
  }
  return EXIT.ok;
}

async function modelsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { host: { type: 'string' }, json: { type: 'boolean' } } });
  const client = new OllamaClient({ host: hostFromEnvironment(values.host, io.env), requestTimeoutMs: 30_000 });
  try {
    const [version, models] = await Promise.all([client.version(), client.listModels()]);
    if (values.json) {
      io.stdout(JSON.stringify({ host: client.host, version, models }, null, 2));
      return EXIT.ok;
    }
    io.stdout(`Ollama ${version} at ${client.host}: ${models.length} model${models.length === 1 ? '' : 's'}`);
    for (const m of models) io.stdout(`  ${m.name.padEnd(36)} ${(m.parameterSize ?? '').padEnd(8)} ${(m.quantization ?? '').padEnd(8)} ${(m.size / 1e9).toFixed(2)} GB  ${m.digest.slice(0, 12)}`);
    return EXIT.ok;
  } catch (err) {
    const e = err as { message: string; nextStep?: string };
    io.stderr(`error: ${e.message}`);
    if (e.nextStep) io.stderr(`next step: ${e.nextStep}`);
    return EXIT.server;
  }
}

function generateCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: {
      tasks: { type: 'string' },
      set: { type: 'string' },
      'per-task': { type: 'string' },
      proportions: { type: 'string' },
      total: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const set = values.set ? TASK_SETS[values.set as keyof typeof TASK_SETS] : undefined;
  if (values.set && !set) throw new UsageError(`--set must be one of ${Object.keys(TASK_SETS).join(', ')}.`);
  const tasks = set ? [...set] : (values.tasks ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (tasks.length === 0) throw new UsageError('--tasks ID,ID… (or --set NAME) is required (listed by the tasks command).');
  if (values['per-task'] && values.proportions) throw new UsageError('--per-task and --proportions exclude each other.');
  const proportions = values.proportions?.split(',').map((p) => {
    const n = Number(p);
    if (!Number.isFinite(n)) throw new UsageError(`--proportions must be numbers, not '${p}'.`);
    return n;
  });
  const generated = generateMix({
    tasks,
    perTask: number(values['per-task'], 'per-task', { min: 0, integer: true }),
    proportions,
    total: number(values.total, 'total', { min: 2, integer: true }),
    seed: number(values.seed, 'seed', { integer: true }) ?? 0,
  });
  if (!generated.mix || !generated.text) {
    printDiagnostics(io, generated.diagnostics, 'generate');
    return EXIT.usage;
  }
  io.stdout(values.json ? serializeStructuredMix(generated.mix).trimEnd() : generated.text.trimEnd());
  return EXIT.ok;
}

function tasksCommand(io: CliIo): number {
  io.stdout('Built-in tasks:');
  for (const t of BUILTIN_TASKS) io.stdout(`  ${t.id.padEnd(20)} ${t.label}`);
  io.stdout('\nTask sets (paper, Figure 2):');
  for (const [name, ids] of Object.entries(TASK_SETS)) io.stdout(`  ${name.padEnd(14)} ${ids.join(', ')}`);
  return EXIT.ok;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (isCommand(command) && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(commandUsage(USAGE, command) ?? USAGE);
    return EXIT.ok;
  }
  try {
    switch (command) {
      case 'analyze':
        return await analyzeCommand(rest, io);
      case 'models':
        return await modelsCommand(rest, io);
      case 'generate':
        return generateCommand(rest, io);
      case 'tasks':
        return tasksCommand(io);
      case 'scale':
        return await scaleCommand(rest, io);
      case 'calibrate':
        return await calibrateCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`unknown command '${command}'.`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const unknown = /Unknown option '([^']+)'/.exec((err as Error).message)?.[1];
      const hint = unknown ? didYouMean(USAGE, unknown) : '';
      const usage = (isCommand(command) && commandUsage(USAGE, command)) || USAGE;
      io.stderr(`error: ${(err as Error).message.replace(/\. To specify a positional argument.*$/s, '')}${hint}\n\n${usage}\n\nsuperposition ${isCommand(command) ? `${command} ` : ''}--help for this text.`);
      return EXIT.usage;
    }
    io.stderr(`internal error: ${(err as Error).stack ?? String(err)}`);
    return EXIT.usage;
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

if (require.main === module) {
  // `superposition tasks | head` closes the pipe early: stop quietly, as Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(`${t}\n`),
    stderr: (t) => process.stderr.write(`${t}\n`),
    ...(process.stderr.isTTY ? { progress: (line: string) => process.stderr.write(`\r\x1b[K${line}`) } : {}),
    readStdin,
    env: process.env,
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
