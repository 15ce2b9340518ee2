/**
 * The simulated demo's answer to any prompt (`npm start -- --double`): scripts the test double on
 * demand. For a request text no fixed script covers, it finds the few-shot prompt inside it (the
 * text up to the query's separator), detects the tasks the examples perform — built-in ones and the
 * custom tasks of the workspace's `*.superposition.json` files, tables included — and scripts a
 * distribution over their answers: `superposed` spreads ~85% over every task (leaning to the larger
 * shares), `collapsed` puts 85% on the task with the most examples. Deterministic per prompt.
 *
 * This lives in scripts/, not test/double/: it uses the product's parser and task library, which
 * the double itself must not reuse. A prompt with no detected task keeps the double's fallback.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseMix } from '../src/core/mix/parse';
import type { CustomTaskSpec } from '../src/core/mix/types';
import { BUILTIN_TASKS } from '../src/core/tasks/builtin';
import { parseTable } from '../src/core/tasks/customTable';
import { detectTasks } from '../src/core/tasks/detect';
import { buildDemoModels } from '../test/double/demo';
import { scriptFromAnswers } from '../test/double/script';
import type { ScriptEntry, ScriptedModel } from '../test/double/types';

export type DemoStyle = 'superposed' | 'collapsed';

export interface DemoTasks {
  custom: CustomTaskSpec[];
  tables: Map<string, Map<string, string>>;
}

/** The custom tasks (with their tables) of every `*.superposition.json` in these folders. */
export function workspaceCustomTasks(folders: readonly string[]): DemoTasks {
  const custom = new Map<string, CustomTaskSpec>();
  const tables = new Map<string, Map<string, string>>();
  for (const folder of folders) {
    let files: string[];
    try {
      files = readdirSync(folder).filter((f) => f.endsWith('.superposition.json'));
    } catch {
      continue;
    }
    for (const file of files) {
      const path = join(folder, file);
      const parsed = parseMix(readFileSync(path, 'utf8'), file);
      for (const spec of parsed.mix?.customTasks ?? []) {
        if (custom.has(spec.id) || spec.answer !== undefined) continue;
        if (spec.table) {
          try {
            const table = parseTable(readFileSync(join(dirname(path), spec.table), 'utf8'), spec.table).table;
            if (table) tables.set(spec.id, table);
          } catch {
            continue;
          }
        }
        custom.set(spec.id, spec);
      }
    }
  }
  return { custom: [...custom.values()], tables };
}

/** The few-shot prompt a request text starts with: the longest prefix that parses to exactly itself. */
export function promptWithin(text: string): string | undefined {
  const lastLine = text.lastIndexOf('\n');
  if (lastLine < 0) return undefined;
  for (let end = text.length; end > lastLine + 1; end--) {
    const candidate = text.slice(0, end);
    if (parseMix(candidate).mix?.prompt === candidate) return candidate;
  }
  return undefined;
}

/** A number in [0, 1) from a string (FNV-1a), so each prompt's demo distribution is stable. */
function unit(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

/** Answer probabilities for the detected tasks (identical answers merged). */
export function demoAnswers(prompt: string, tasks: ReadonlyArray<{ id: string; share: number; answer: string }>, style: DemoStyle): Array<{ text: string; prob: number }> {
  const mass = 0.8 + 0.1 * unit(`${prompt}\u0000mass`);
  let weights: number[];
  if (style === 'collapsed') {
    const top = tasks.reduce((best, t, i) => (t.share > tasks[best]!.share ? i : best), 0);
    weights = tasks.map((_, i) => (i === top ? 0.85 / mass : 0.15 / mass / Math.max(1, tasks.length - 1)));
  } else {
    weights = tasks.map((t) => Math.max(t.share, 0.02) ** 0.8 * (0.6 + 0.8 * unit(`${prompt}\u0000${t.id}`)));
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const byAnswer = new Map<string, number>();
  tasks.forEach((t, i) => byAnswer.set(t.answer, (byAnswer.get(t.answer) ?? 0) + (mass * weights[i]!) / total));
  return [...byAnswer.entries()].map(([text, prob]) => ({ text, prob: Math.min(prob, 0.95) }));
}

/** The double's `scriptFor` for the demo. */
export function demoScriptFor(style: DemoStyle, known: DemoTasks): (text: string) => ScriptEntry | undefined {
  const candidates = [...BUILTIN_TASKS.map((t) => t.id), ...known.custom.map((c) => c.id)];
  return (text) => {
    const prompt = promptWithin(text);
    if (prompt === undefined) return undefined;
    const mix = parseMix(prompt).mix;
    if (!mix) return undefined;
    const detection = detectTasks({ ...mix, customTasks: known.custom }, { candidates, tables: known.tables });
    const tasks = detection.tasks.filter((t): t is typeof t & { answer: string } => t.share > 0 && typeof t.answer === 'string' && t.answer !== '');
    if (tasks.length === 0) return undefined;
    return scriptFromAnswers(prompt, demoAnswers(prompt, tasks, style));
  };
}

/** The demo models: the shipped examples as scripted in the answers table, any other prompt on demand. */
export function demoModels(repoRoot: string, workspace: string): ScriptedModel[] {
  const known = workspaceCustomTasks([workspace]);
  return buildDemoModels({ repoRoot }).models.map((m) => ({ ...m, scriptFor: demoScriptFor(m.name.includes('collapsed') ? 'collapsed' : 'superposed', known) }));
}
