import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunRecordSchema, type RunRecord } from '../../src/core/record';
import { FromWebviewSchema, parseFromWebview, parseToWebview, ViewStateSchema } from '../../src/shared/protocol';

/** A complete run record written by hand (logprobs, two tasks, one token step each). */
function handRecord(): RunRecord {
  return {
    schemaVersion: 1,
    kind: 'analysis',
    id: '20260101T120000Z-abc123',
    createdAt: '2026-01-01T12:00:00.000Z',
    status: 'complete',
    model: 'qwen2.5:0.5b',
    modelDigest: 'sha256:0123456789abcdef0123456789abcdef',
    simulated: false,
    server: { host: 'http://127.0.0.1:11434', version: '0.13.0', logprobs: true },
    method: 'logprobs',
    options: {
      requestedMethod: 'auto',
      terminated: false,
      samples: 200,
      topK: 2,
      seed: 1000,
      concurrency: 1,
      minNodeMass: 0,
      keepAlive: '5m',
      requestTimeoutMs: 300000,
      beamWidth: 8,
      maxDepth: 21,
      minCompletionProbability: 0.0001,
    },
    input: {
      source: '/tmp/ab.txt',
      prompt: '1+1->2\n2+2->four\n3+3->',
      separator: '->',
      query: '3+3',
      examples: [
        { input: '1+1', output: '2', line: 1, tasks: ['sum.digits'] },
        { input: '2+2', output: 'four', line: 2, tasks: ['sum.en'] },
      ],
    },
    tasks: [
      {
        id: 'sum.digits',
        label: 'A+B as digits',
        answer: '6',
        share: 0.5,
        examples: 1,
        probability: 0.6,
        lower: 0.6,
        upper: 0.6,
        exact: true,
        steps: [{ prefix: '', token: '6', probability: 0.6, alternatives: [{ token: '6', probability: 0.6 }, { token: 'six', probability: 0.3 }] }],
      },
      {
        id: 'sum.en',
        label: 'A+B in English words',
        answer: 'six',
        share: 0.5,
        examples: 1,
        probability: 0.3,
        lower: 0.3,
        upper: 0.31,
        exact: false,
        steps: [{ prefix: '', token: 'six', probability: 0.3, alternatives: [] }],
      },
    ],
    other: { probability: 0.1, lower: 0.09, upper: 0.1 },
    metrics: { kl: 0.1, klNormalized: 0.05, r: 2, K: 2, entropy: 0.9, taskMass: 0.9 },
    completions: [
      { text: '6', probability: 0.6, tasks: ['sum.digits'] },
      { text: 'six', probability: 0.3, tasks: ['sum.en'] },
    ],
    warnings: [{ severity: 'warning', code: 'few-examples', message: 'only 2 examples', line: 1, column: 1 }],
    requests: 5,
    durationMs: 1234,
  };
}

test('the hand-written record satisfies RunRecordSchema', () => {
  const result = RunRecordSchema.safeParse(handRecord());
  assert.ok(result.success, result.success ? '' : JSON.stringify(result.error.issues));
});

test('a real RunRecord round-trips through JSON and showRun', () => {
  const record = handRecord();
  const wire = JSON.parse(JSON.stringify({ type: 'showRun', record, running: false, simulated: false })) as unknown;
  const parsed = parseToWebview(wire);
  assert.ok(parsed && parsed.type === 'showRun');
  assert.deepEqual(parsed.record, record);
  assert.equal(parsed.running, false);
});

test('valid messages to the webview parse', () => {
  const record = handRecord();
  assert.equal(parseToWebview({ type: 'showComparison', left: record, right: { ...record, id: 'b' }, simulated: true })?.type, 'showComparison');
  assert.deepEqual(parseToWebview({ type: 'progress', progress: { message: 'Scoring', done: 1, total: 3 } }), { type: 'progress', progress: { message: 'Scoring', done: 1, total: 3 } });
  assert.deepEqual(parseToWebview({ type: 'progress', progress: { message: 'Loading the model' } }), { type: 'progress', progress: { message: 'Loading the model' } });
  assert.deepEqual(parseToWebview({ type: 'error', message: 'cannot read', nextStep: 'delete it' }), { type: 'error', message: 'cannot read', nextStep: 'delete it' });
});

test('invalid messages to the webview are rejected', () => {
  const record = handRecord();
  assert.equal(parseToWebview(undefined), undefined);
  assert.equal(parseToWebview(null), undefined);
  assert.equal(parseToWebview('showRun'), undefined);
  assert.equal(parseToWebview({ type: 'evil', record }), undefined);
  assert.equal(parseToWebview({ type: 'showRun', record, running: 'no', simulated: false }), undefined);
  assert.equal(parseToWebview({ type: 'showRun', record: { ...record, tasks: 'x' }, running: false, simulated: false }), undefined);
  assert.equal(parseToWebview({ type: 'showRun', record: { ...record, schemaVersion: 2 }, running: false, simulated: false }), undefined);
  assert.equal(parseToWebview({ type: 'showRun', running: false, simulated: false }), undefined);
  assert.equal(parseToWebview({ type: 'progress', progress: { message: 3 } }), undefined);
  assert.equal(parseToWebview({ type: 'error' }), undefined);
});

test('valid messages from the webview parse', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseFromWebview({ type: 'rerun', runId: 'r1' }), { type: 'rerun', runId: 'r1' });
  assert.deepEqual(parseFromWebview({ type: 'compareWith', runId: 'r1' }), { type: 'compareWith', runId: 'r1' });
  assert.deepEqual(parseFromWebview({ type: 'openSource', runId: 'r1' }), { type: 'openSource', runId: 'r1' });
  assert.deepEqual(parseFromWebview({ type: 'export', runId: 'r1', format: 'csv' }), { type: 'export', runId: 'r1', format: 'csv' });
  const png = { type: 'export', runId: 'r1', format: 'png', dataUrl: 'data:image/png;base64,iVBORw0KGgo=' };
  assert.deepEqual(parseFromWebview(png), png);
});

test('invalid messages from the webview are dropped', () => {
  assert.equal(parseFromWebview({ type: 'runCommand', command: 'workbench.action.terminal.new' }), undefined);
  assert.equal(parseFromWebview({ type: 'rerun' }), undefined);
  assert.equal(parseFromWebview({ type: 'rerun', runId: 42 }), undefined);
  assert.equal(parseFromWebview({ type: 'export', runId: 'r1', format: 'exe' }), undefined);
  assert.equal(parseFromWebview({ type: 'export', runId: 'r1', format: 'png', dataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' }), undefined, 'not a PNG');
  assert.equal(parseFromWebview({ type: 'export', runId: 'r1', format: 'png', dataUrl: 'https://example.com/x.png' }), undefined, 'not a data: URL');
  const huge = `data:image/png;base64,${'A'.repeat(20_000_001)}`;
  assert.equal(parseFromWebview({ type: 'export', runId: 'r1', format: 'png', dataUrl: huge }), undefined, 'over 20 MB');
  assert.equal(FromWebviewSchema.safeParse({ type: 'ready', extra: true }).success, true, 'unknown keys are stripped, not kept');
  assert.deepEqual(parseFromWebview({ type: 'ready', extra: true }), { type: 'ready' });
});

test('the view state keeps at most two run ids', () => {
  assert.ok(ViewStateSchema.safeParse({ runIds: ['a', 'b'] }).success);
  assert.ok(!ViewStateSchema.safeParse({ runIds: ['a', 'b', 'c'] }).success);
  assert.ok(!ViewStateSchema.safeParse({ runIds: [1] }).success);
});
