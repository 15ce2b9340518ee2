// The `fewshot` language: its TextMate grammar (tokenized with the real engine, vscode-textmate + oniguruma, as
// VS Code does), its language configuration, and the package.json contribution that points at both.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import { loadWASM, OnigScanner, OnigString } from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar, type IRawTheme, type StateStack } from 'vscode-textmate';
import { parseMix } from '../../src/core/mix/parse';

const root = join(__dirname, '..', '..');
const examplesDir = join(root, 'examples');

interface LanguageContribution {
  id: string;
  aliases?: string[];
  extensions?: string[];
  filenamePatterns?: string[];
  configuration?: string;
}
interface GrammarContribution {
  language: string;
  scopeName: string;
  path: string;
  tokenTypes?: Record<string, 'string' | 'comment' | 'other'>;
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { languages?: LanguageContribution[]; grammars?: GrammarContribution[] };
};
const language = pkg.contributes.languages?.find((l) => l.id === 'fewshot');
const grammarEntry = pkg.contributes.grammars?.find((g) => g.language === 'fewshot');

const INPUT = 'variable.other.input.fewshot';
const SEP = 'keyword.control.separator.fewshot';
const OUTPUT = 'string.unquoted.output.fewshot';
const QUERY = 'markup.heading.query.fewshot';
const QSEP = 'keyword.control.separator.query.fewshot';

// ── the engine ──────────────────────────────────────────────────────────────────────────────

const TOKEN_TYPES = { other: 0, comment: 1, string: 2 } as const;
let registryPromise: Promise<{ registry: Registry; grammar: IGrammar }> | undefined;

function engine(): Promise<{ registry: Registry; grammar: IGrammar }> {
  registryPromise ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const grammarPath = join(root, grammarEntry?.path ?? 'syntaxes/fewshot.tmLanguage.json');
    const registry = new Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new OnigScanner(p), createOnigString: (s: string) => new OnigString(s) }),
      loadGrammar: async (scopeName: string) => (scopeName === 'source.fewshot' ? parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null),
    });
    // As VS Code loads it: with the contribution's tokenTypes.
    const tokenTypes = Object.fromEntries(Object.entries(grammarEntry?.tokenTypes ?? {}).map(([k, v]) => [k, TOKEN_TYPES[v]]));
    const grammar = await registry.loadGrammarWithConfiguration('source.fewshot', 1, { tokenTypes });
    assert.ok(grammar, 'source.fewshot did not load');
    return { registry, grammar };
  })();
  return registryPromise;
}

interface Token {
  text: string;
  scopes: string[];
}

/** Tokenizes a document line by line, carrying the state as the editor does. */
async function tokenize(text: string): Promise<Token[][]> {
  const { grammar } = await engine();
  let state: StateStack = INITIAL;
  const out: Token[][] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    out.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
  }
  return out;
}

/** The innermost scope of each token, dropping zero-length tokens: [text, scope][]. */
function innermost(tokens: Token[]): Array<[string, string]> {
  return tokens.filter((t) => t.text !== '').map((t) => [t.text, t.scopes[t.scopes.length - 1] ?? '']);
}

async function lineTokens(document: string, lineIndex: number): Promise<Array<[string, string]>> {
  const lines = await tokenize(document);
  return innermost(lines[lineIndex] ?? []);
}

/** The meta scope of the line (meta.example / meta.query), or undefined. */
function lineKind(tokens: Token[]): string | undefined {
  const scopes = new Set(tokens.flatMap((t) => t.scopes));
  if (scopes.has('meta.query.fewshot')) return 'query';
  if (scopes.has('meta.example.fewshot')) return 'example';
  return undefined;
}

// ── scopes, separator by separator ─────────────────────────────────────────────────────────

const SEPARATORS: Array<{ name: string; sep: string; mix: string }> = [
  { name: '->', sep: '->', mix: 'meta.mix.arrow.fewshot' },
  { name: '=>', sep: '=>', mix: 'meta.mix.fat-arrow.fewshot' },
  { name: 'tab', sep: '\t', mix: 'meta.mix.tab.fewshot' },
  { name: '=', sep: '=', mix: 'meta.mix.equals.fewshot' },
  { name: ':', sep: ':', mix: 'meta.mix.colon.fewshot' },
];

for (const { name, sep, mix } of SEPARATORS) {
  test(`separator ${name}: input, separator, output; the query line; the mix is latched`, async () => {
    const doc = [`60+21${sep}81`, `Sierra Leone${sep}Freetown`, `15+43${sep}`].join('\n');
    const lines = await tokenize(doc);
    assert.deepEqual(innermost(lines[0]!), [
      ['60+21', INPUT],
      [sep, SEP],
      ['81', OUTPUT],
    ]);
    assert.deepEqual(innermost(lines[1]!), [
      ['Sierra Leone', INPUT],
      [sep, SEP],
      ['Freetown', OUTPUT],
    ]);
    assert.deepEqual(innermost(lines[2]!), [
      ['15+43', QUERY],
      [sep, QSEP],
    ]);
    assert.deepEqual(lines.map(lineKind), ['example', 'example', 'query']);
    for (const line of lines) for (const t of line) assert.ok(t.scopes.includes(mix), `${JSON.stringify(t.text)}: ${t.scopes.join(' ')}`);
    // The query may have spaces and tabs after the separator (the parser ignores them).
    assert.deepEqual((await lineTokens(`a${sep}b\nc${sep}d\nq${sep} \t `, 2)).slice(0, 2), [
      ['q', QUERY],
      [sep, QSEP],
    ]);
  });
}

test('an output containing the separator again: split at the FIRST occurrence (a->b->c is a, b->c)', async () => {
  assert.deepEqual(await lineTokens('a->b->c\nx->', 0), [
    ['a', INPUT],
    ['->', SEP],
    ['b->c', OUTPUT],
  ]);
  // `a->b->` is an example whose output is `b->`, not a query (the parser: nothing may follow the first one).
  const lines = await tokenize('a->b->\nx->');
  assert.deepEqual(innermost(lines[0]!), [
    ['a', INPUT],
    ['->', SEP],
    ['b->', OUTPUT],
  ]);
  assert.equal(lineKind(lines[0]!), 'example');
  assert.deepEqual(innermost(lines[1]!), [
    ['x', QUERY],
    ['->', QSEP],
  ]);
  // Tab and colon too.
  assert.deepEqual(await lineTokens('k\tv\tw\nq\t', 0), [
    ['k', INPUT],
    ['\t', SEP],
    ['v\tw', OUTPUT],
  ]);
  assert.deepEqual(await lineTokens('time:12:30\nq:', 0), [
    ['time', INPUT],
    [':', SEP],
    ['12:30', OUTPUT],
  ]);
});

test('an output containing a separator that comes earlier in the detection order', async () => {
  // The mix's separator is `=` (the first line has no `->`): a later `x=a->b` is split at `=`, as the parser does.
  const doc = ['f=g', 'x=a->b', 'y:z=w', 'q='].join('\n');
  const lines = await tokenize(doc);
  assert.deepEqual(innermost(lines[1]!), [
    ['x', INPUT],
    ['=', SEP],
    ['a->b', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[2]!), [
    ['y:z', INPUT],
    ['=', SEP],
    ['w', OUTPUT],
  ]);
  // A single line, on its own, takes the first separator of the detection order that it contains.
  assert.deepEqual(await lineTokens('x=a->b', 0), [
    ['x=a', INPUT],
    ['->', SEP],
    ['b', OUTPUT],
  ]);
  assert.deepEqual(await lineTokens('k=>v=w', 0), [
    ['k', INPUT],
    ['=>', SEP],
    ['v=w', OUTPUT],
  ]);
  assert.deepEqual(await lineTokens('k\tv=w:z', 0), [
    ['k', INPUT],
    ['\t', SEP],
    ['v=w:z', OUTPUT],
  ]);
  // In a `=` mix, `a=>b` is split at the `=` (output `>b`), as the parser does.
  assert.deepEqual(await lineTokens('f=g\na=>b\nq=', 1), [
    ['a', INPUT],
    ['=', SEP],
    ['>b', OUTPUT],
  ]);
});

test('a line without the mix separator falls back to its own separator; a line without any stays plain', async () => {
  const lines = await tokenize('a->b\nc:d\njust words\nq->');
  assert.deepEqual(innermost(lines[1]!), [
    ['c', INPUT],
    [':', SEP],
    ['d', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[2]!), [['just words', 'meta.mix.arrow.fewshot']]);
  assert.equal(lineKind(lines[2]!), undefined);
  assert.deepEqual(innermost(lines[3]!), [
    ['q', QUERY],
    ['->', QSEP],
  ]);
});

test('trailing tabs and whitespace-only lines do not choose the tab separator (the parser ignores them)', async () => {
  // A blank line made of a tab before the first example, and a first example with a trailing tab: the mix is `=`.
  const lines = await tokenize('\t\nf=g\t\nx=a\tb\nq=');
  assert.ok(lines[1]!.every((t) => t.scopes.includes('meta.mix.equals.fewshot')), lines[1]!.map((t) => t.scopes.join(' ')).join(' | '));
  assert.deepEqual(innermost(lines[1]!), [
    ['f', INPUT],
    ['=', SEP],
    ['g\t', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[2]!), [
    ['x', INPUT],
    ['=', SEP],
    ['a\tb', OUTPUT],
  ]);
  // A line on its own: a trailing tab does not beat `=`; a tab with text after it does.
  assert.deepEqual(await lineTokens('a->b\nc=d\t\nq->', 1), [
    ['c', INPUT],
    ['=', SEP],
    ['d\t', OUTPUT],
  ]);
  assert.deepEqual(await lineTokens('a->b\nc\td=e\nq->', 1), [
    ['c', INPUT],
    ['\t', SEP],
    ['d=e', OUTPUT],
  ]);
  // The tab query shape `input<tab>`, even in a file of one line.
  assert.deepEqual(await lineTokens('q\t', 0), [
    ['q', QUERY],
    ['\t', QSEP],
  ]);
});

test('empty and blank lines: no tokens with a scope of their own, and the next line is still tokenized', async () => {
  const lines = await tokenize('\n   \na->b\n\n\t\nc->d\nq->\n');
  for (const i of [0, 1, 3, 4, 7]) {
    assert.equal(lineKind(lines[i]!), undefined, `line ${i}`);
    for (const t of lines[i]!) assert.ok(!t.scopes.some((s) => s === INPUT || s === OUTPUT || s === QUERY || s === SEP || s === QSEP), `line ${i}: ${t.scopes.join(' ')}`);
  }
  assert.deepEqual(innermost(lines[2]!), [
    ['a', INPUT],
    ['->', SEP],
    ['b', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[5]!), [
    ['c', INPUT],
    ['->', SEP],
    ['d', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[6]!), [
    ['q', QUERY],
    ['->', QSEP],
  ]);
  // An empty input (`->b`) or output is still coloured; the parser reports it.
  assert.deepEqual(await lineTokens('->b', 0), [
    ['->', SEP],
    ['b', OUTPUT],
  ]);
});

test('unicode: accents, CJK, emoji (surrogate pairs), RTL text and combining marks', async () => {
  const doc = ['Côte d’Ivoire->Yamoussoukro', '日本->東京', '🇯🇵 flag->🗾 日本', 'مصر->القاهرة', 'e\u0301te\u0301->summer', 'Ελλάδα->'].join('\n');
  const lines = await tokenize(doc);
  assert.deepEqual(innermost(lines[0]!), [
    ['Côte d’Ivoire', INPUT],
    ['->', SEP],
    ['Yamoussoukro', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[1]!), [
    ['日本', INPUT],
    ['->', SEP],
    ['東京', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[2]!), [
    ['🇯🇵 flag', INPUT],
    ['->', SEP],
    ['🗾 日本', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[3]!), [
    ['مصر', INPUT],
    ['->', SEP],
    ['القاهرة', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[4]!), [
    ['e\u0301te\u0301', INPUT],
    ['->', SEP],
    ['summer', OUTPUT],
  ]);
  assert.deepEqual(innermost(lines[5]!), [
    ['Ελλάδα', QUERY],
    ['->', QSEP],
  ]);
});

/** Asserts that the grammar splits every example and the query where the parser does. */
async function assertAgreesWithParser(label: string, text: string, fileName: string): Promise<void> {
  const parsed = parseMix(text, fileName);
  assert.ok(parsed.mix, `${label}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
  const mix = parsed.mix;
  const lines = await tokenize(text);
  for (const ex of mix.examples) {
    assert.deepEqual(innermost(lines[ex.line - 1]!), [
      [ex.input, INPUT],
      [mix.separator, SEP],
      [ex.output, OUTPUT],
    ], `${label}:${ex.line}`);
  }
  assert.deepEqual(innermost(lines[mix.queryLine - 1]!), [
    [mix.query, QUERY],
    [mix.separator, QSEP],
  ], `${label}: query`);
}

test('the grammar agrees with the parser on every shipped text prompt (examples/*.txt, *.fewshot)', async () => {
  const files = readdirSync(examplesDir).filter((f) => /\.(txt|fewshot)$/.test(f));
  assert.ok(files.some((f) => f.endsWith('.fewshot')), 'no examples/*.fewshot');
  for (const file of files) await assertAgreesWithParser(file, readFileSync(join(examplesDir, file), 'utf8'), file);
});

test('the grammar agrees with the parser where outputs and inputs hold other separators', async () => {
  const docs: Record<string, string[]> = {
    // Each separator again in the output.
    arrow: ['a->b->c', 'd->e->', 'f->'],
    'fat arrow': ['a=>b=>c', 'd=>e', 'f=>'],
    tab: ['a\tb\tc', 'd\te', 'f\t'],
    equals: ['a=b=c', 'd=e==', 'f='],
    colon: ['a:b:c', 'd:e', 'f:'],
    // The mix's separator is not the first of the order in the first line's input or output.
    'fat arrow, = in the input': ['a=b=>c', 'd=>e=f', 'g=h=>'],
    'equals, colon in the input': ['a:b=c', 'd=e:f', 'q:r='],
    'equals, => in the output': ['x=a', 'y=b=>c', 'q='],
    'colon, : after =>-free text': ['Q:what', 'A:it=is', 'Q:'],
    'tab, = and : in the output': ['k\tv=w', 'l\tm:n', 'q\t'],
    'arrow, everything else in the output': ['a->b=>c\td=e:f', 'g->h', 'i->'],
  };
  for (const [label, lines] of Object.entries(docs)) await assertAgreesWithParser(label, lines.join('\n'), `${label}.fewshot`);
});

// ── colours: the scopes are ones Dark Modern and Light Modern colour apart ─────────────────

/**
 * The token rules of VS Code's default themes that can match the scopes above, copied from
 * extensions/theme-defaults/themes (Dark Modern includes dark_plus.json, which includes dark_vs.json; Light Modern
 * likewise light_plus.json and light_vs.json). Later rules win at equal specificity, as in the themes.
 * Set VSCODE_THEME_DEFAULTS to that themes folder to check this copy against the real files.
 */
const THEMES = {
  'Dark Modern': {
    files: ['dark_vs.json', 'dark_plus.json'],
    foreground: '#CCCCCC',
    rules: [
      ['variable.language', '#569cd6'],
      ['keyword', '#569cd6'],
      ['keyword.control', '#569cd6'],
      ['keyword.operator', '#d4d4d4'],
      ['string', '#ce9178'],
      ['markup.heading', '#569cd6', 'bold'],
      ['markup.inserted', '#b5cea8'],
      ['entity.name.tag', '#569cd6'],
      ['keyword.control', '#C586C0'],
      ['variable', '#9CDCFE'],
    ],
  },
  'Light Modern': {
    files: ['light_vs.json', 'light_plus.json'],
    foreground: '#3B3B3B',
    rules: [
      ['variable.language', '#0000ff'],
      ['keyword', '#0000ff'],
      ['keyword.control', '#0000ff'],
      ['keyword.operator', '#000000'],
      ['string', '#a31515'],
      ['markup.heading', '#800000', 'bold'],
      ['markup.inserted', '#098658'],
      ['entity.name.tag', '#800000'],
      ['keyword.control', '#AF00DB'],
      ['variable', '#001080'],
    ],
  },
} as const;

function rawTheme(name: keyof typeof THEMES): IRawTheme {
  const t = THEMES[name];
  return {
    name,
    settings: [
      { settings: { foreground: t.foreground } },
      ...t.rules.map(([scope, foreground, fontStyle]) => ({ scope, settings: { foreground, ...(fontStyle ? { fontStyle } : {}) } })),
    ],
  };
}

for (const name of Object.keys(THEMES) as Array<keyof typeof THEMES>) {
  test(`${name}: input, separator, output and query input each get their own colour, none the plain text's`, async () => {
    const { registry, grammar } = await engine();
    registry.setTheme(rawTheme(name));
    const colors = registry.getColorMap();
    const colorOf = (line: string, prev: StateStack, at: number): { fg: string; bold: boolean; tokenType: number; state: StateStack } => {
      const r = grammar.tokenizeLine2(line, prev);
      let meta = 0;
      for (let i = 0; i < r.tokens.length; i += 2) if (r.tokens[i]! <= at) meta = r.tokens[i + 1]!;
      return { fg: (colors[(meta & 0xff8000) >>> 15] ?? '').toUpperCase(), bold: (((meta & 0x7800) >>> 11) & 2) !== 0, tokenType: (meta & 0x300) >>> 8, state: r.ruleStack };
    };
    const ex = colorOf('India->New Delhi', INITIAL, 0);
    const input = ex.fg;
    const sep = colorOf('India->New Delhi', INITIAL, 5).fg;
    const out = colorOf('India->New Delhi', INITIAL, 7);
    const query = colorOf('Russia->', ex.state, 0);
    const qsep = colorOf('Russia->', ex.state, 6).fg;
    const plain = THEMES[name].foreground.toUpperCase();
    const seen = { input, separator: sep, output: out.fg, query: query.fg };
    assert.equal(new Set(Object.values(seen)).size, 4, JSON.stringify(seen));
    // Not the plain text's colour, and not a grey (keyword.operator is #D4D4D4 / #000000: plain text to the eye).
    const chroma = (hex: string): number => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
      return Math.max(r, g, b) - Math.min(r, g, b);
    };
    for (const [k, v] of Object.entries(seen)) {
      assert.notEqual(v, plain, `${k} has the plain text colour`);
      assert.ok(chroma(v) >= 48, `${k}: ${v} is a grey`);
    }
    assert.ok(query.bold, 'the query input is bold (markup.heading)');
    assert.equal(qsep, sep, 'the query separator looks like the other separators');
    // tokenTypes: outputs are not "strings" to the editor, so brackets in them still match and auto-close.
    assert.equal(out.tokenType, TOKEN_TYPES.other);
  });
}

/** VS Code's default themes: VSCODE_THEME_DEFAULTS, else the code-server the e2e tools installed. */
function themeDefaultsDir(): string | undefined {
  if (process.env.VSCODE_THEME_DEFAULTS) return process.env.VSCODE_THEME_DEFAULTS;
  const cache = process.env.SUPERPOSITION_E2E_CACHE || join(homedir(), '.cache', 'superposition-lab-e2e');
  const server = existsSync(cache) ? readdirSync(cache).find((d) => d.startsWith('code-server-')) : undefined;
  const dir = server && join(cache, server, 'node_modules', 'code-server', 'lib', 'vscode', 'extensions', 'theme-defaults', 'themes');
  return dir && existsSync(dir) ? dir : undefined;
}

test('the copied theme rules match the real default themes (VSCODE_THEME_DEFAULTS, or the e2e tools\' code-server)', (t) => {
  const dir = themeDefaultsDir();
  if (!dir) {
    // In CI the e2e tools are installed before the tests: a missing copy there is a failure, not a skip.
    if (process.env.SUPERPOSITION_REQUIRE_LIVE === '1') assert.fail('no default themes found (VSCODE_THEME_DEFAULTS unset, no code-server in the e2e tools cache)');
    return t.skip('no default themes found: set VSCODE_THEME_DEFAULTS or run scripts/e2e-tools.sh');
  }
  for (const theme of Object.values(THEMES)) {
    const real = new Map<string, string>();
    for (const file of theme.files) {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { tokenColors: Array<{ scope?: string | string[]; settings: { foreground?: string } }> };
      for (const rule of json.tokenColors) for (const s of [rule.scope ?? []].flat()) if (rule.settings.foreground) real.set(`${file}\u0000${s}`, rule.settings.foreground.toLowerCase());
    }
    for (const [scope, fg] of theme.rules) {
      const found = theme.files.some((f) => real.get(`${f}\u0000${scope}`) === fg.toLowerCase());
      assert.ok(found, `${scope} ${fg} not in ${theme.files.join(', ')}`);
    }
  }
});

// ── the contribution and the language configuration ───────────────────────────────────────

test('package.json contributes the fewshot language and grammar, pointing at files that exist', () => {
  assert.ok(language, 'no contributes.languages entry with id fewshot');
  assert.ok(grammarEntry, 'no contributes.grammars entry for fewshot');
  assert.ok(language.aliases?.includes('Few-shot prompt'));
  assert.deepEqual(language.extensions, ['.fewshot']);
  assert.deepEqual(language.filenamePatterns, ['*.fewshot.txt']);
  assert.ok(language.configuration && existsSync(join(root, language.configuration)), `${language.configuration}`);
  assert.ok(existsSync(join(root, grammarEntry.path)), grammarEntry.path);
  const grammar = JSON.parse(readFileSync(join(root, grammarEntry.path), 'utf8')) as { scopeName: string };
  assert.equal(grammar.scopeName, grammarEntry.scopeName);
  assert.equal(grammarEntry.scopeName, 'source.fewshot');
  for (const scope of Object.keys(grammarEntry.tokenTypes ?? {})) assert.ok(readFileSync(join(root, grammarEntry.path), 'utf8').includes(`"${scope}"`), `tokenTypes ${scope} is not a grammar scope`);
});

test('.fewshot and *.fewshot.txt files are parsed as text prompts', () => {
  for (const file of readdirSync(examplesDir).filter((f) => f.endsWith('.fewshot'))) {
    const text = readFileSync(join(examplesDir, file), 'utf8');
    for (const name of [file, file.replace(/\.fewshot$/, '.fewshot.txt')]) {
      const parsed = parseMix(text, name);
      assert.ok(parsed.mix && parsed.mix.examples.length > 0, `${name}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`);
    }
  }
});

test('language configuration: no comment syntax (the parser has none), prose brackets and quotes, a word pattern', () => {
  const config = JSON.parse(readFileSync(join(root, language?.configuration ?? 'language-configuration.fewshot.json'), 'utf8')) as {
    comments?: unknown;
    brackets: string[][];
    autoClosingPairs: Array<{ open: string; close: string }>;
    surroundingPairs: string[][];
    wordPattern: { pattern: string; flags: string };
  };
  // A `#` or `//` line would be an example (or a line-without-separator error) to the parser: no toggle-comment.
  assert.equal(config.comments, undefined);
  assert.deepEqual(config.brackets, [['(', ')'], ['[', ']'], ['{', '}']]);
  assert.deepEqual(config.autoClosingPairs.map((p) => p.open + p.close), ['()', '[]', '{}', '""']);
  assert.deepEqual(config.surroundingPairs.map((p) => p.join('')), ['()', '[]', '{}', '""']);
  const word = new RegExp(config.wordPattern.pattern, `${config.wordPattern.flags}g`);
  const words = (s: string): string[] => s.match(word) ?? [];
  assert.deepEqual(words('soixante-sept->67'), ['soixante-sept', '67']);
  assert.deepEqual(words('80+60->cent quarante'), ['80', '60', 'cent', 'quarante']);
  assert.deepEqual(words("don't=>Côte d’Ivoire"), ["don't", 'Côte', 'd’Ivoire']);
  assert.deepEqual(words('25@10=10\tx:y'), ['25', '10', '10', 'x', 'y']);
  assert.deepEqual(words('3.14:pi 日本->東京 e\u0301te\u0301'), ['3.14', 'pi', '日本', '東京', 'e\u0301te\u0301']);
});
