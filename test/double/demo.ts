/**
 * Ollama TEST DOUBLE — demo models for `npm run ollama-double`.
 *
 * Reads every examples/*.txt (few-shot prompts; the prompt a client sends is the
 * file text with CRLF → LF and trailing whitespace trimmed) and the answers table
 * test/double/fixtures/demo-answers.json, shaped
 *   { "<file name>": { "<answer>": <prob>, … }, … }
 * (a key may also omit ".txt"). Serves two scripted models (not real models):
 *   double-superposed:latest — spreads mass over the answers as the table says;
 *   double-collapsed:latest  — puts 0.9 on the first answer of each file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scriptFromAnswers } from './script';
import type { ScriptEntry, ScriptedModel } from './types';

export interface DemoOptions {
  /** Default <repoRoot>/examples. */
  examplesDir?: string;
  /** Default <repoRoot>/test/double/fixtures/demo-answers.json. */
  answersPath?: string;
  /** Default process.cwd(). */
  repoRoot?: string;
  log?: (line: string) => void;
}

export interface DemoResult {
  models: ScriptedModel[];
  /** Scripted prompts, with their answers in file order (probabilities as served by double-superposed). */
  prompts: Array<{ file: string; prompt: string; answers: Array<[string, number]> }>;
}

const TAG = '[ollama-double]';

/**
 * Parses the answers table keeping the file's key order (JSON.parse would put integer-like
 * keys such as "16", "11" in ascending order, and "first answer" means first in the file).
 */
export function parseAnswersTable(text: string): Array<[string, Array<[string, number]>]> {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const expect = (c: string): void => {
    ws();
    if (text[i] !== c) throw new Error(`expected '${c}' at offset ${i}`);
    i++;
  };
  const str = (): string => {
    ws();
    const m = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(i));
    if (!m) throw new Error(`expected a string at offset ${i}`);
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (): unknown => {
    ws();
    const m = /^(?:"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)/.exec(text.slice(i));
    if (!m) throw new Error(`expected a value at offset ${i}`);
    i += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };
  const object = <T>(item: () => T): Array<[string, T]> => {
    const out: Array<[string, T]> = [];
    expect('{');
    ws();
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      const k = str();
      expect(':');
      out.push([k, item()]);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      expect('}');
      return out;
    }
  };
  const table = object(() =>
    object(() => {
      const v = value();
      if (typeof v !== 'number') throw new Error(`answer probabilities must be numbers (offset ${i})`);
      return v;
    }),
  );
  ws();
  if (i !== text.length) throw new Error(`unexpected text at offset ${i}`);
  return table;
}

export function demoPrompt(fileText: string): string {
  return fileText.replace(/\r\n/g, '\n').replace(/\s+$/, '');
}

export function buildDemoModels(opts: DemoOptions = {}): DemoResult {
  const root = opts.repoRoot ?? process.cwd();
  const examplesDir = opts.examplesDir ?? join(root, 'examples');
  const answersPath = opts.answersPath ?? join(root, 'test', 'double', 'fixtures', 'demo-answers.json');
  const log = opts.log ?? ((): void => undefined);

  let table = new Map<string, Array<[string, number]>>();
  if (existsSync(answersPath)) {
    try {
      table = new Map(parseAnswersTable(readFileSync(answersPath, 'utf8')));
    } catch (e) {
      log(`${TAG} cannot parse ${answersPath}: ${e instanceof Error ? e.message : String(e)}; starting with an empty script`);
    }
  } else {
    log(`${TAG} no answers table at ${answersPath}; starting with an empty script (every prompt gets the fallback)`);
  }

  const files = existsSync(examplesDir) ? readdirSync(examplesDir).filter((f) => f.endsWith('.txt')).sort() : [];
  if (files.length === 0) log(`${TAG} no examples/*.txt found in ${examplesDir}`);

  const superposed: ScriptEntry[] = [];
  const collapsed: ScriptEntry[] = [];
  const prompts: DemoResult['prompts'] = [];
  for (const file of files) {
    const answers = table.get(file) ?? table.get(basename(file, '.txt'));
    if (!answers || answers.length === 0) {
      log(`${TAG} ${file}: no answers in the table; not scripted`);
      continue;
    }
    const prompt = demoPrompt(readFileSync(join(examplesDir, file), 'utf8'));
    let list = answers
      .filter(([text, p]) => text !== '' && typeof p === 'number' && Number.isFinite(p) && p >= 0)
      .map(([text, prob]) => ({ text, prob }));
    const sum = list.reduce((s, a) => s + a.prob, 0);
    if (sum > 0.99) {
      log(`${TAG} ${file}: answer probabilities sum to ${sum.toFixed(3)}; scaled to 0.95`);
      list = list.map((a) => ({ text: a.text, prob: (a.prob / sum) * 0.95 }));
    }
    try {
      superposed.push(scriptFromAnswers(prompt, list));
      const others = list.length - 1;
      collapsed.push(
        scriptFromAnswers(
          prompt,
          list.map((a, i) => ({ text: a.text, prob: i === 0 ? 0.9 : others > 0 ? 0.04 / others : 0 })),
        ),
      );
      prompts.push({ file, prompt, answers: list.map((a) => [a.text, a.prob] as [string, number]) });
      log(`${TAG} ${file}: scripted ${list.length} answers (${list.map((a) => JSON.stringify(a.text)).join(', ')})`);
    } catch (e) {
      log(`${TAG} ${file}: skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return {
    models: [
      { name: 'double-superposed:latest', family: 'double', parameterSize: 'scripted', script: superposed },
      { name: 'double-collapsed:latest', family: 'double', parameterSize: 'scripted', script: collapsed },
    ],
    prompts,
  };
}
