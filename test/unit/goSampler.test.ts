import assert from 'node:assert/strict';
import test from 'node:test';
import { goFirstDraw, goSamplerDraws, tokenAtDraw } from '../live/goSampler';

// Recorded with Go 1.26: rand.New(rand.NewPCG(s, s^0x9E3779B9)), three Uint32()<<8>>8 values each.
const GO_VECTORS: Array<[number, number, number, number]> = [
  [0, 2594862, 15844226, 1421111],
  [1, 16137524, 1771148, 11761645],
  [2, 6158711, 11517477, 3783697],
  [400, 1039643, 382557, 4137163],
  [123456789, 12730536, 11698133, 2277125],
];

test('goSamplerDraws reproduces Go math/rand/v2 PCG draws as Ollama seeds them', () => {
  for (const [seed, ...expected] of GO_VECTORS) {
    const next = goSamplerDraws(seed);
    assert.deepEqual([next(), next(), next()], expected, `seed ${seed}`);
  }
  assert.equal(goFirstDraw(1), 16137524 / 2 ** 24);
});

test('tokenAtDraw picks by cumulative probability and abstains near boundaries or beyond the list', () => {
  const ranked = [
    { token: 'a', probability: 0.5 },
    { token: 'b', probability: 0.3 },
  ];
  assert.equal(tokenAtDraw(ranked, 0.1, 1e-4), 'a');
  assert.equal(tokenAtDraw(ranked, 0.6, 1e-4), 'b');
  assert.equal(tokenAtDraw(ranked, 0.79995, 1e-4), undefined);
  assert.equal(tokenAtDraw(ranked, 0.50001, 1e-4), undefined);
  assert.equal(tokenAtDraw(ranked, 0.9, 1e-4), undefined);
});
