// Mutation testing of the estimators and the experiment aggregation, without npm dependencies:
//   node --import tsx scripts/mutation.ts                  every mutant (~1-2 h on 2 cores; not for CI)
//   node --import tsx scripts/mutation.ts --sample 20 --seed 7 --jobs 2 --json /tmp/mutation.json
//   node --import tsx scripts/mutation.ts --files src/core/estimate/stats.ts --list   (ids only, no tests)
//   node --import tsx scripts/mutation.ts --mutant src/core/estimate/stats.ts:7:15:div-to-times
// Mutants run in copies of the repo under $TMPDIR/mutation-work-* (the work tree is never touched),
// each against the unit tests that import the mutated module (directly or through src/), one test
// file at a time, stopping at the first failing test. Exit code: 0 done, 1 baseline red, 2 usage.
// Operators: + - * / ** swaps, < <= > >= === !== boundaries, && || ??, numbers (0→1, 1→0, n→n+1,
// else ×10), Math.min↔max, true↔false, drop unary - and !, ++↔--, drop or flip += -= *= /=, and
// negated if/loop/?: conditions; never in types, imports, thrown or logged messages, templates.
//
// Options:
//   --files <glob|path>   modules to mutate (repeatable, comma-separated); default
//                         src/core/estimate/*.ts and src/core/experiments/aggregate.ts
//   --tests <glob>        test files to choose from (default test/unit/*.test.ts)
//   --limit N             the first N mutants (in id order)
//   --sample N --seed S   N mutants drawn at random with seed S (default seed 1)
//   --mutant <id>         only mutants whose id starts with this (repeatable)
//   --jobs N              parallel work dirs (default 1)
//   --json <file>         write every mutant's result and the summary as JSON
//   --timeout-factor F    a test file may take F × its baseline time + 5 s (default 3)
//   --node-modules <dir>  node_modules to link into the work dirs (default the repo's own)
//   --no-coverage         run every importing test file for each mutant (default: only those
//                         whose baseline run executed the mutant's statement)
//   --list                print the mutants and stop;  --keep  keep the work dirs
import { seededRng } from '../src/core/random';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const DEFAULT_FILES = ['src/core/estimate/*.ts', 'src/core/experiments/aggregate.ts'];
const DEFAULT_TESTS = 'test/unit/*.test.ts';

interface Options {
  files: string[];
  tests: string;
  limit?: number;
  sample?: number;
  seed: number;
  mutants: string[];
  jobs: number;
  json?: string;
  timeoutFactor: number;
  nodeModules?: string;
  list: boolean;
  keep: boolean;
  coverage: boolean;
}

export interface Mutant {
  /** file:line:col:operator, line and column 1-based. */
  id: string;
  file: string;
  line: number;
  col: number;
  operator: string;
  start: number;
  end: number;
  replacement: string;
  /** The source line(s) the mutant touches, before and after. */
  original: string;
  mutated: string;
}

type Status = 'killed' | 'timeout' | 'survived';

interface MutantResult {
  id: string;
  file: string;
  line: number;
  operator: string;
  original: string;
  mutated: string;
  status: Status;
  /** The test file (and test) that failed, or the test file that hung. */
  killedBy?: string;
  testsRun: string[];
  /** Survived because no test file runs its statement. */
  noCoverage?: boolean;
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// Options

function usage(message?: string): never {
  if (message !== undefined) console.error(`mutation: ${message}\n`);
  (message === undefined ? console.log : console.error)(
    readFileSync(__filename, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .map((l) => l.slice(3))
      .join('\n'),
  );
  process.exit(message === undefined ? 0 : 2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = { files: [], tests: DEFAULT_TESTS, seed: 1, mutants: [], jobs: 1, timeoutFactor: 3, list: false, keep: false, coverage: true };
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) usage(`${name}: not an integer ≥ ${min}: ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i] ?? '';
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => value ?? argv[++i] ?? usage(`${a} needs a value`);
    switch (a) {
      case '--files':
        o.files.push(...next().split(',').filter(Boolean));
        break;
      case '--tests':
        o.tests = next();
        break;
      case '--limit':
        o.limit = int(a, next(), 1);
        break;
      case '--sample':
        o.sample = int(a, next(), 1);
        break;
      case '--seed':
        o.seed = int(a, next(), 0);
        break;
      case '--mutant':
        o.mutants.push(next());
        break;
      case '--jobs':
        o.jobs = int(a, next(), 1);
        break;
      case '--json':
        o.json = resolve(next());
        break;
      case '--timeout-factor': {
        const v = next();
        o.timeoutFactor = Number(v);
        if (!(o.timeoutFactor >= 1)) usage(`--timeout-factor: not a number ≥ 1: ${v}`);
        break;
      }
      case '--node-modules':
        o.nodeModules = resolve(next());
        break;
      case '--list':
        o.list = true;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--no-coverage':
        o.coverage = false;
        break;
      case '--help':
      case '-h':
        usage();
      default:
        usage(`unknown option ${a}`);
    }
  }
  if (o.files.length === 0) o.files = DEFAULT_FILES;
  return o;
}

/** A glob (`*`, `?`, `**`) as a RegExp over repo-relative paths with `/`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}


// ---------------------------------------------------------------------------------------------
// Work dirs: a snapshot of the repo (tracked and untracked-but-not-ignored files) per job

const posix = (p: string) => p.split(sep).join('/');

function repoFiles(root: string): string[] {
  const git = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f && !f.startsWith('node_modules/') && existsSync(join(root, f)));
  // No git: everything but the usual build/dependency folders.
  const out: string[] = [];
  const skip = new Set(['.git', 'node_modules', 'dist', 'out', '.superposition', '.vscode-test', 'test-results']);
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(rel);
      } else if (entry.isFile()) out.push(rel);
    }
  };
  walk('');
  return out;
}

function makeWorkDir(from: string, files: readonly string[], nodeModules: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mutation-work-'));
  for (const f of files) {
    const to = join(dir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(from, f), to);
  }
  symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Import graph: which test files load a module at run time

/**
 * The modules a file loads when run: its imports after TypeScript's import elision (an import
 * used only as a type is dropped, as tsx/esbuild drop it), re-exports, import() and require().
 */
function runtimeImports(file: string, text: string): string[] {
  const js = /\.(ts|tsx|mts|cts)$/.test(file)
    ? ts.transpileModule(text, { fileName: file, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.Preserve } }).outputText
    : text;
  const sf = ts.createSourceFile(`${file}.js`, js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const specs: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0]!)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) specs.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

function resolveImport(root: string, importer: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // packages and node: built-ins
  const base = resolve(root, dirname(importer), spec);
  const stem = base.replace(/\.(c|m)?js$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`, `${base}.js`, `${base}.mjs`, join(base, 'index.ts'), join(base, 'index.tsx'), join(base, 'index.js')];
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isFile()) {
      const rel = posix(relative(root, c));
      return rel.startsWith('..') || rel.startsWith('node_modules/') ? undefined : rel;
    }
  }
  return undefined;
}

/** For each test file: every repo file it loads, with its import distance (1 = direct). */
function testReach(root: string, tests: readonly string[]): Map<string, Map<string, number>> {
  const edges = new Map<string, string[]>();
  const importsOf = (file: string) => {
    let out = edges.get(file);
    if (!out) {
      out = [];
      if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(file)) {
        for (const spec of runtimeImports(file, readFileSync(join(root, file), 'utf8'))) {
          const target = resolveImport(root, file, spec);
          if (target) out.push(target);
        }
      }
      edges.set(file, out);
    }
    return out;
  };
  const reach = new Map<string, Map<string, number>>();
  for (const test of tests) {
    const dist = new Map<string, number>([[test, 0]]);
    const queue = [test];
    while (queue.length > 0) {
      const file = queue.shift()!;
      for (const next of importsOf(file)) {
        if (!dist.has(next)) {
          dist.set(next, dist.get(file)! + 1);
          queue.push(next);
        }
      }
    }
    reach.set(test, dist);
  }
  return reach;
}

// ---------------------------------------------------------------------------------------------
// Mutants

const BINARY_SWAPS: Partial<Record<ts.SyntaxKind, [ts.SyntaxKind, string][]>> = {
  [ts.SyntaxKind.PlusToken]: [[ts.SyntaxKind.MinusToken, 'plus-to-minus']],
  [ts.SyntaxKind.MinusToken]: [[ts.SyntaxKind.PlusToken, 'minus-to-plus']],
  [ts.SyntaxKind.AsteriskToken]: [[ts.SyntaxKind.SlashToken, 'times-to-div']],
  [ts.SyntaxKind.SlashToken]: [[ts.SyntaxKind.AsteriskToken, 'div-to-times']],
  [ts.SyntaxKind.PercentToken]: [[ts.SyntaxKind.AsteriskToken, 'mod-to-times']],
  [ts.SyntaxKind.AsteriskAsteriskToken]: [[ts.SyntaxKind.AsteriskToken, 'pow-to-times']],
  [ts.SyntaxKind.LessThanToken]: [[ts.SyntaxKind.LessThanEqualsToken, 'lt-to-le']],
  [ts.SyntaxKind.LessThanEqualsToken]: [[ts.SyntaxKind.LessThanToken, 'le-to-lt']],
  [ts.SyntaxKind.GreaterThanToken]: [[ts.SyntaxKind.GreaterThanEqualsToken, 'gt-to-ge']],
  [ts.SyntaxKind.GreaterThanEqualsToken]: [[ts.SyntaxKind.GreaterThanToken, 'ge-to-gt']],
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: [[ts.SyntaxKind.ExclamationEqualsEqualsToken, 'eq-to-ne']],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: [[ts.SyntaxKind.EqualsEqualsEqualsToken, 'ne-to-eq']],
  [ts.SyntaxKind.EqualsEqualsToken]: [[ts.SyntaxKind.ExclamationEqualsToken, 'eq-to-ne']],
  [ts.SyntaxKind.ExclamationEqualsToken]: [[ts.SyntaxKind.EqualsEqualsToken, 'ne-to-eq']],
  [ts.SyntaxKind.AmpersandAmpersandToken]: [[ts.SyntaxKind.BarBarToken, 'and-to-or']],
  [ts.SyntaxKind.BarBarToken]: [[ts.SyntaxKind.AmpersandAmpersandToken, 'or-to-and']],
  [ts.SyntaxKind.QuestionQuestionToken]: [[ts.SyntaxKind.AmpersandAmpersandToken, 'nullish-to-and']],
  [ts.SyntaxKind.PlusEqualsToken]: [[ts.SyntaxKind.MinusEqualsToken, 'plus-assign-to-minus-assign']],
  [ts.SyntaxKind.MinusEqualsToken]: [[ts.SyntaxKind.PlusEqualsToken, 'minus-assign-to-plus-assign']],
  [ts.SyntaxKind.AsteriskEqualsToken]: [[ts.SyntaxKind.SlashEqualsToken, 'times-assign-to-div-assign']],
  [ts.SyntaxKind.SlashEqualsToken]: [[ts.SyntaxKind.AsteriskEqualsToken, 'div-assign-to-times-assign']],
};

/** Compound assignments whose accumulation can be dropped (`x += y` → `x`). */
const ACCUMULATIONS = new Map([
  [ts.SyntaxKind.PlusEqualsToken, 'plus-assign'],
  [ts.SyntaxKind.MinusEqualsToken, 'minus-assign'],
  [ts.SyntaxKind.AsteriskEqualsToken, 'times-assign'],
  [ts.SyntaxKind.SlashEqualsToken, 'div-assign'],
]);

/** A numeric literal's mutated text: 0 → 1, 1 → 0, other integers n → n + 1, the rest × 10. */
export function mutateNumber(text: string): { to: string; op: string } | undefined {
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value)) return undefined;
  if (value === 0) return { to: '1', op: 'num-0-to-1' };
  if (value === 1) return { to: '0', op: 'num-1-to-0' };
  let to: string;
  if (Number.isInteger(value) && !/e/i.test(text)) to = String(value + 1);
  else {
    const exp = /^(\d+(?:\.\d*)?)e([-+]?\d+)$/i.exec(text);
    to = exp ? `${exp[1]}e${Number(exp[2]) + 1}` : String(Number.parseFloat((value * 10).toPrecision(15)));
  }
  return { to, op: `num-${text}-to-${to}` };
}

/** Inside a thrown error, an Error's arguments or a template literal: text for people, not maths. */
function inMessage(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isThrowStatement(n) || ts.isTemplateExpression(n)) return true;
    if (ts.isNewExpression(n) && /Error$/.test(n.expression.getText())) return true;
    if (ts.isCallExpression(n) && /^console\./.test(n.expression.getText())) return true;
    if (ts.isFunctionLike(n) || ts.isBlock(n) || ts.isSourceFile(n)) return false;
  }
  return false;
}

const isStringy = (n: ts.Node) => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);

export function findMutants(file: string, text: string): Mutant[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const mutants: Mutant[] = [];
  const add = (node: ts.Node, start: number, end: number, replacement: string, operator: string) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    const lineStart = sf.getPositionOfLineAndCharacter(line, 0);
    const endLine = sf.getLineAndCharacterOfPosition(end).line;
    const lineEnd = endLine + 1 < sf.getLineStarts().length ? sf.getPositionOfLineAndCharacter(endLine + 1, 0) - 1 : text.length;
    const mutatedText = text.slice(0, start) + replacement + text.slice(end);
    mutants.push({
      id: `${file}:${line + 1}:${character + 1}:${operator}`,
      file,
      line: line + 1,
      col: character + 1,
      operator,
      start,
      end,
      replacement,
      original: text.slice(lineStart, lineEnd).trim(),
      mutated: mutatedText.slice(lineStart, lineEnd + replacement.length - (end - start)).trim(),
    });
    void node;
  };
  const visit = (node: ts.Node): void => {
    // Type-only code, module wiring and declarations without bodies are not mutated.
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isModuleDeclaration(node)) return;
    if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return;
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken;
      const skipString = (op.kind === ts.SyntaxKind.PlusToken || op.kind === ts.SyntaxKind.PlusEqualsToken) && (isStringy(node.left) || isStringy(node.right));
      if (!skipString && !inMessage(node)) {
        for (const [to, name] of BINARY_SWAPS[op.kind] ?? []) add(node, op.getStart(sf), op.end, ts.tokenToString(to)!, name);
        const accumulation = ACCUMULATIONS.get(op.kind);
        if (accumulation) add(node, node.left.end, node.end, '', `drop-${accumulation}`);
      }
    } else if (ts.isNumericLiteral(node)) {
      const parent = node.parent;
      const isName = (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isEnumMember(parent)) && parent.name === node;
      const m = isName || inMessage(node) ? undefined : mutateNumber(node.getText(sf));
      if (m) add(node, node.getStart(sf), node.end, m.to, m.op);
    } else if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
      const isTrue = node.kind === ts.SyntaxKind.TrueKeyword;
      add(node, node.getStart(sf), node.end, isTrue ? 'false' : 'true', isTrue ? 'true-to-false' : 'false-to-true');
    } else if (ts.isPrefixUnaryExpression(node)) {
      if (node.operator === ts.SyntaxKind.MinusToken && !inMessage(node)) add(node, node.getStart(sf), node.operand.getStart(sf), '', 'drop-unary-minus');
      else if (node.operator === ts.SyntaxKind.ExclamationToken) add(node, node.getStart(sf), node.operand.getStart(sf), '', 'drop-not');
      else if (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken) {
        const inc = node.operator === ts.SyntaxKind.PlusPlusToken;
        add(node, node.getStart(sf), node.getStart(sf) + 2, inc ? '--' : '++', inc ? 'inc-to-dec' : 'dec-to-inc');
      }
    } else if (ts.isPostfixUnaryExpression(node)) {
      const inc = node.operator === ts.SyntaxKind.PlusPlusToken;
      add(node, node.end - 2, node.end, inc ? '--' : '++', inc ? 'inc-to-dec' : 'dec-to-inc');
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Math') {
      const name = node.expression.name;
      if (name.text === 'min' || name.text === 'max') add(node, name.getStart(sf), name.end, name.text === 'min' ? 'max' : 'min', `${name.text}-to-${name.text === 'min' ? 'max' : 'min'}`);
    }
    // Conditions: negate the whole test.
    const condition =
      ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)
        ? node.expression
        : ts.isForStatement(node)
          ? node.condition
          : ts.isConditionalExpression(node)
            ? node.condition
            : undefined;
    // (`!x` is already mutated to `x` by drop-not.)
    if (condition && !(ts.isPrefixUnaryExpression(condition) && condition.operator === ts.SyntaxKind.ExclamationToken)) add(condition, condition.getStart(sf), condition.end, `!(${condition.getText(sf)})`, 'negate-condition');
    ts.forEachChild(node, visit);
  };
  visit(sf);
  // Drop any mutant that does not parse (none should; a safety net for odd syntax).
  return mutants
    .filter((m) => {
      const mutated = text.slice(0, m.start) + m.replacement + text.slice(m.end);
      const probe = ts.createSourceFile(file, mutated, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS) as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] };
      return (probe.parseDiagnostics ?? []).length === 0;
    })
    .sort((a, b) => (a.file === b.file ? a.start - b.start || (a.operator < b.operator ? -1 : 1) : a.file < b.file ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------
// Coverage: which test files execute the statement that holds a mutant. During the baseline each
// target is instrumented with a hit counter before every statement; a test file that never runs
// a mutant's statement cannot kill it and is not run for it.

interface Instrumented {
  text: string;
  /** Mutant id → the key of the innermost statement holding it (none: covered by every test). */
  keyOf: Map<string, string>;
}

export function instrument(file: string, text: string, mutants: readonly Mutant[]): Instrumented {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const inserts: { pos: number; order: number; text: string }[] = [];
  const spans: { start: number; end: number; key: string }[] = [];
  let n = 0;
  const inList = (node: ts.Node) => {
    const p = node.parent;
    return (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isModuleBlock(p)) && (p.statements as readonly ts.Node[]).includes(node);
  };
  const isSlot = (node: ts.Node) => {
    const p = node.parent;
    if (ts.isIfStatement(p)) return p.thenStatement === node || p.elseStatement === node;
    return (ts.isForStatement(p) || ts.isForInStatement(p) || ts.isForOfStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) && p.statement === node;
  };
  const skip = (node: ts.Node) =>
    ts.isBlock(node) || ts.isEmptyStatement(node) || ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node) || ts.isExportDeclaration(node) || ts.isExportAssignment(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isModuleDeclaration(node) || (ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword));
  const visit = (node: ts.Node, depth: number) => {
    let d = depth;
    if (node.parent && !skip(node) && (inList(node) || isSlot(node)) && !(ts.isExpressionStatement(node) && ts.isStringLiteral(node.expression))) {
      const key = `${file}#${n++}`;
      const start = node.getStart(sf);
      spans.push({ start, end: node.end, key });
      const hit = `__mutationHit(${JSON.stringify(key)});`;
      if (inList(node)) inserts.push({ pos: start, order: 0, text: `${hit} ` });
      else {
        d++;
        inserts.push({ pos: start, order: d, text: `{ ${hit} ` });
        inserts.push({ pos: node.end, order: -d - 1000, text: ' }' });
      }
    }
    // An arrow's expression body runs only when called: it gets its own counter.
    if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) {
      const key = `${file}#${n++}`;
      const start = node.body.getStart(sf);
      spans.push({ start, end: node.body.end, key });
      d++;
      inserts.push({ pos: start, order: d, text: `(__mutationHit(${JSON.stringify(key)}), ` });
      inserts.push({ pos: node.body.end, order: -d - 1000, text: ')' });
    }
    ts.forEachChild(node, (c) => visit(c, d));
  };
  visit(sf, 0);
  // Apply from the end; at one position the lower `order` ends up first in the text.
  inserts.sort((a, b) => b.pos - a.pos || b.order - a.order);
  let out = text;
  for (const ins of inserts) out = out.slice(0, ins.pos) + ins.text + out.slice(ins.pos);
  const prologue =
    "import { appendFileSync as __mutationAppend } from 'node:fs';\n" +
    'const __mutationHit: (key: string) => void = ((g: any) =>\n' +
    '  (g.__mutationHit ??= ((hits: Set<string>) => {\n' +
    "    process.on('exit', () => { try { __mutationAppend(process.env['MUTATION_COVERAGE_OUT']!, [...hits].map((h) => `${h}\\n`).join('')); } catch {} });\n" +
    '    return (key: string) => void hits.add(key);\n' +
    '  })(new Set<string>())))(globalThis);\n';
  const keyOf = new Map<string, string>();
  for (const m of mutants) {
    let best: { start: number; end: number; key: string } | undefined;
    for (const s of spans) if (s.start <= m.start && m.end <= s.end && (!best || s.end - s.start < best.end - best.start)) best = s;
    if (best) keyOf.set(m.id, best.key);
  }
  return { text: prologue + out, keyOf };
}

// ---------------------------------------------------------------------------------------------
// Running one test file

interface TestRun {
  outcome: 'pass' | 'fail' | 'timeout';
  /** The first failing test's name (or the process error). */
  failure?: string;
  ms: number;
  output: string;
}

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/**
 * Runs one test file in `cwd` with the TAP reporter and stops at the first `not ok` (TODO and
 * SKIP excepted): a mutant is killed by its first failing test, the rest need not run.
 */
function runTestFile(cwd: string, test: string, timeoutMs: number, stopAtFirstFailure: boolean, extraEnv: Record<string, string> = {}): Promise<TestRun> {
  const started = Date.now();
  return new Promise((done) => {
    const env = { ...process.env, ...extraEnv };
    delete env['NODE_TEST_CONTEXT'];
    if (extraEnv['MUTATION_COVERAGE_OUT'] === undefined) delete env['MUTATION_COVERAGE_OUT'];
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', test], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    let pending = '';
    let failure: string | undefined;
    let finished = false;
    const finish = (outcome: TestRun['outcome']) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killGroup(child);
      running.delete(child);
      done({ outcome, ms: Date.now() - started, output, ...(failure !== undefined ? { failure } : {}) });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const s = chunk.toString('utf8');
      if (output.length < 200_000) output += s;
      pending += s;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^\s*not ok \d+ - (.*)$/.exec(line);
        if (m && !/#\s*(TODO|SKIP)\b/i.test(m[1]!)) {
          failure ??= m[1]!.trim();
          if (stopAtFirstFailure) finish('fail');
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 200_000) output += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      failure ??= String(err);
      finish('fail');
    });
    child.on('close', (code) => {
      if (code !== 0) failure ??= `exit code ${code}`;
      finish(code === 0 && failure === undefined ? 'pass' : 'fail');
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Main

function fmtMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  const m = s / 60;
  return m < 120 ? `${m.toFixed(1)} min` : `${(m / 60).toFixed(1)} h`;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const repo = resolve(__dirname, '..');
  const files = repoFiles(repo);
  const patterns = options.files.map((g) => {
    const rel = posix(relative(repo, resolve(repo, g)));
    // A folder means every module under it.
    return globToRegExp(!/[*?]/.test(rel) && existsSync(join(repo, rel)) && statSync(join(repo, rel)).isDirectory() ? `${rel.replace(/\/$/, '')}/**` : rel);
  });
  const targets = files.filter((f) => /\.(ts|tsx)$/.test(f) && !/\.d\.ts$/.test(f) && patterns.some((re) => re.test(f))).sort();
  if (targets.length === 0) usage(`no file matches --files ${options.files.join(',')}`);

  // Snapshot the sources once: mutants are computed on, and applied to, the same text in every job.
  const snapshot: Record<string, string> = {};
  for (const f of targets) snapshot[f] = readFileSync(join(repo, f), 'utf8');
  let mutants = targets.flatMap((f) => findMutants(f, snapshot[f]!));
  const all = mutants.length;
  if (options.mutants.length > 0) mutants = mutants.filter((m) => options.mutants.some((p) => m.id.startsWith(p)));
  if (options.sample !== undefined && options.sample < mutants.length) {
    const random = seededRng(options.seed);
    const pool = [...mutants];
    for (let i = 0; i < options.sample; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    const chosen = new Set(pool.slice(0, options.sample));
    mutants = mutants.filter((m) => chosen.has(m));
  }
  if (options.limit !== undefined) mutants = mutants.slice(0, options.limit);

  const testRe = globToRegExp(options.tests);
  const tests = files.filter((f) => testRe.test(f)).sort();
  const graph = (root: string) => {
    const reach = testReach(root, tests);
    const testsFor = new Map(targets.map((f) => [f, tests.filter((t) => reach.get(t)!.has(f))]));
    for (const f of targets) console.log(`${f}: ${testsFor.get(f)!.length} test files (${testsFor.get(f)!.map((t) => t.replace(/^.*\//, '')).join(', ') || 'none'})`);
    return { reach, testsFor };
  };

  if (options.list) {
    graph(repo);
    for (const m of mutants) console.log(`${m.id}\n    - ${m.original}\n    + ${m.mutated}`);
    console.log(`${mutants.length} of ${all} mutants in ${targets.length} files`);
    return;
  }
  if (mutants.length === 0) usage('no mutant selected');

  const nodeModules = options.nodeModules ?? join(repo, 'node_modules');
  if (!existsSync(join(nodeModules, 'tsx'))) usage(`no tsx in ${nodeModules}: run npm ci first (or pass --node-modules)`);

  const jobs = Math.min(options.jobs, mutants.length);
  const first = makeWorkDir(repo, files, nodeModules);
  // Mutation targets come from the snapshot, so the copy matches it even while the tree changes.
  for (const f of targets) writeFileSync(join(first, f), snapshot[f]!);
  const dirs = [first, ...Array.from({ length: jobs - 1 }, () => makeWorkDir(first, files, nodeModules))];
  const cleanup = () => {
    for (const child of running) killGroup(child);
    if (!options.keep) for (const d of dirs) rmSync(d, { recursive: true, force: true });
    else console.log(`work dirs kept: ${dirs.join(' ')}`);
  };
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  process.on('SIGTERM', () => {
    cleanup();
    process.exit(143);
  });

  try {
    const { reach, testsFor } = graph(first);
    const needed = [...new Set(mutants.flatMap((m) => testsFor.get(m.file)!))].sort();

    // Baseline: every needed test file must pass unmutated; its time sets its timeout. It runs on
    // instrumented targets to learn which test files execute which statements (--no-coverage: off).
    const instrumented = new Map(targets.map((f) => [f, instrument(f, snapshot[f]!, mutants.filter((m) => m.file === f))]));
    const writeTargets = (dir: string, which: 'instrumented' | 'original') => {
      for (const f of targets) writeFileSync(join(dir, f), which === 'instrumented' ? instrumented.get(f)!.text : snapshot[f]!);
    };
    console.log(`\nbaseline${options.coverage ? ' with coverage' : ''}: ${needed.length} test files in ${dirs.length} work dir(s) under ${tmpdir()}`);
    const baseline = new Map<string, number>();
    /** Test file → statement keys it ran (absent: unknown, so it counts as running all of them). */
    const covered = new Map<string, Set<string>>();
    const failed: { test: string; run: TestRun }[] = [];
    {
      const queue = [...needed];
      await Promise.all(
        dirs.map(async (dir) => {
          if (options.coverage) writeTargets(dir, 'instrumented');
          for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
            const out = join(dir, `.mutation-coverage-${t.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`);
            let run = await runTestFile(dir, t, 10 * 60_000, false, options.coverage ? { MUTATION_COVERAGE_OUT: out } : {});
            let note = '';
            if (options.coverage && run.outcome === 'pass') {
              const hits = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean) : [];
              covered.set(t, new Set(hits));
              note = `, runs ${new Set(hits).size} target statements`;
            } else if (options.coverage) {
              // Red with the counters in: try once without them before calling the baseline red.
              writeTargets(dir, 'original');
              run = await runTestFile(dir, t, 10 * 60_000, false);
              writeTargets(dir, 'instrumented');
              if (run.outcome === 'pass') note = ', coverage unknown (fails only instrumented)';
            }
            rmSync(out, { force: true });
            baseline.set(t, run.ms);
            console.log(`  ${run.outcome === 'pass' ? 'ok  ' : 'FAIL'} ${t} (${fmtMs(run.ms)}${note})`);
            if (run.outcome !== 'pass') failed.push({ test: t, run });
          }
          writeTargets(dir, 'original');
        }),
      );
    }
    if (failed.length > 0) {
      console.error(`\nbaseline is red: ${failed.length} test file(s) fail without any mutant, so no score can be given:`);
      for (const { test, run } of failed) {
        const notOk = run.output.split('\n').filter((l) => /^\s*not ok /.test(l) && !/#\s*(TODO|SKIP)/i.test(l));
        console.error(`  ${test}: ${run.outcome === 'timeout' ? 'timed out' : notOk.map((l) => l.trim()).join('; ') || run.failure}`);
      }
      process.exitCode = 1;
      return;
    }
    const coversMutant = (t: string, m: Mutant) => {
      const key = instrumented.get(m.file)!.keyOf.get(m.id);
      const hits = covered.get(t);
      return key === undefined || hits === undefined || hits.has(key);
    };
    const timeoutOf = (t: string) => Math.round(options.timeoutFactor * baseline.get(t)! + 5000);

    // Test order per target: the files that killed most mutants of it so far, then the nearest
    // importers, then the fastest.
    const kills = new Map<string, Map<string, number>>();
    const orderFor = (m: Mutant) => {
      const file = m.file;
      const k = kills.get(file) ?? new Map<string, number>();
      return testsFor.get(file)!.filter((t) => coversMutant(t, m)).sort((a, b) => (k.get(b) ?? 0) - (k.get(a) ?? 0) || reach.get(a)!.get(file)! - reach.get(b)!.get(file)! || baseline.get(a)! - baseline.get(b)!);
    };

    console.log(`\n${mutants.length} of ${all} mutants, ${jobs} job(s)\n`);
    const results: MutantResult[] = [];
    const started = Date.now();
    const queue = mutants.map((m, i) => ({ m, i }));
    await Promise.all(
      dirs.map(async (dir) => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
          const { m } = item;
          const path = join(dir, m.file);
          const original = snapshot[m.file]!;
          writeFileSync(path, original.slice(0, m.start) + m.replacement + original.slice(m.end));
          const t0 = Date.now();
          let status: Status = 'survived';
          let killedBy: string | undefined;
          let noCoverage = false;
          const testsRun: string[] = [];
          try {
            const candidates = orderFor(m);
            if (candidates.length === 0) noCoverage = true;
            for (const test of candidates) {
              testsRun.push(test);
              const run = await runTestFile(dir, test, timeoutOf(test), true);
              if (run.outcome === 'pass') continue;
              status = run.outcome === 'timeout' ? 'timeout' : 'killed';
              killedBy = run.outcome === 'timeout' ? test : `${test}: ${run.failure ?? '?'}`;
              const k = kills.get(m.file) ?? new Map<string, number>();
              k.set(test, (k.get(test) ?? 0) + 1);
              kills.set(m.file, k);
              break;
            }
          } finally {
            writeFileSync(path, original);
          }
          const r: MutantResult = { id: m.id, file: m.file, line: m.line, operator: m.operator, original: m.original, mutated: m.mutated, status, testsRun, ms: Date.now() - t0, ...(killedBy !== undefined ? { killedBy } : {}), ...(noCoverage ? { noCoverage } : {}) };
          results.push(r);
          const by = noCoverage ? 'no test runs this statement' : status === 'survived' ? `${testsRun.length} test files pass` : status === 'timeout' ? `hung in ${killedBy}` : killedBy!.replace(/^.*\//, '');
          console.log(`[${String(results.length).padStart(String(mutants.length).length)}/${mutants.length}] ${status.padEnd(8)} ${m.id}  (${fmtMs(r.ms)}; ${by.length > 90 ? `${by.slice(0, 87)}...` : by})`);
        }
      }),
    );
    const wall = Date.now() - started;

    // Summary
    const order = new Map(mutants.map((m, i) => [m.id, i]));
    results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    const count = (rs: MutantResult[], s: Status) => rs.filter((r) => r.status === s).length;
    const summarise = (rs: MutantResult[]) => {
      const killed = count(rs, 'killed');
      const timeout = count(rs, 'timeout');
      const survived = count(rs, 'survived');
      return { total: rs.length, killed, timeout, survived, score: rs.length > 0 ? (killed + timeout) / rs.length : 1 };
    };
    const total = summarise(results);
    const perFile = targets
      .map((f) => ({ file: f, ...summarise(results.filter((r) => r.file === f)) }))
      .filter((s) => s.total > 0);
    const cpu = results.reduce((a, r) => a + r.ms, 0);
    const perMutant = cpu / results.length;

    console.log('\n== mutation summary');
    const w = Math.max(...perFile.map((s) => s.file.length), 5);
    console.log(`${'file'.padEnd(w)}  total  killed  timeout  survived  score`);
    for (const s of [...perFile, { file: 'total', ...total }]) {
      console.log(`${s.file.padEnd(w)}  ${String(s.total).padStart(5)}  ${String(s.killed).padStart(6)}  ${String(s.timeout).padStart(7)}  ${String(s.survived).padStart(8)}  ${pct(s.score).padStart(6)}`);
    }
    const uncovered = results.filter((r) => r.noCoverage).length;
    console.log(`\nscore ${pct(total.score)} = (killed ${total.killed} + timed out ${total.timeout}) / ${total.total}${uncovered > 0 ? `; ${uncovered} of the ${total.survived} survivors are in statements no test runs` : ''}`);
    console.log(`time: ${fmtMs(wall)} wall, ${fmtMs(Math.round(perMutant))} per mutant; all ${all} mutants ≈ ${fmtMs(Math.round((perMutant * all) / jobs))} with ${jobs} job(s)`);
    const survivors = results.filter((r) => r.status === 'survived');
    if (survivors.length > 0) {
      console.log(`\nsurvivors (${survivors.length}):`);
      for (const r of survivors) console.log(`  ${r.file}:${r.line}  ${r.operator}${r.noCoverage ? '  (no test runs this statement)' : ''}\n    - ${r.original}\n    + ${r.mutated}`);
    }
    const timeouts = results.filter((r) => r.status === 'timeout');
    if (timeouts.length > 0) {
      console.log(`\ntimed out (counted as killed) (${timeouts.length}):`);
      for (const r of timeouts) console.log(`  ${r.id}  in ${r.killedBy}`);
    }
    if (options.json) {
      mkdirSync(dirname(options.json), { recursive: true });
      writeFileSync(
        options.json,
        `${JSON.stringify(
          {
            date: new Date().toISOString(),
            files: targets,
            selected: mutants.length,
            mutants: all,
            jobs,
            wallMs: wall,
            summary: total,
            perFile,
            baselineMs: Object.fromEntries(baseline),
            testsFor: Object.fromEntries(testsFor),
            results,
          },
          null,
          2,
        )}\n`,
      );
      console.log(`\nwrote ${options.json}`);
    }
  } finally {
    cleanup();
  }
}

if (require.main === module) {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  main().catch((err: unknown) => {
    console.error(err);
    for (const child of running) killGroup(child);
    process.exit(1);
  });
}
