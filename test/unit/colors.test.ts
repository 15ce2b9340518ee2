// Task colours resolved to opaque ones readable on the panel background (WCAG 4.5:1).
import assert from 'node:assert/strict';
import test from 'node:test';
import { composite, contrastRatio, parseColor, readableOn, toHex } from '../../src/webview/colors';

const DARK = '#1f1f1f';
const LIGHT = '#ffffff';

test('parseColor reads hex with and without alpha, rgb() and rgba(); rejects the rest', () => {
  assert.deepEqual(parseColor('#3794ff'), { r: 0x37, g: 0x94, b: 0xff, a: 1 });
  assert.deepEqual(parseColor('#3794ff80'), { r: 0x37, g: 0x94, b: 0xff, a: 0x80 / 255 });
  assert.deepEqual(parseColor('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColor('rgba(55, 148, 255, 0.5)'), { r: 55, g: 148, b: 255, a: 0.5 });
  assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), { r: 10, g: 20, b: 30, a: 0.5 });
  assert.equal(parseColor('blue'), undefined);
  assert.equal(parseColor('#12345'), undefined);
});

test('contrast ratio: black on white is 21, a colour on itself is 1', () => {
  assert.ok(Math.abs(contrastRatio(parseColor('#000')!, parseColor('#fff')!) - 21) < 1e-9);
  assert.ok(Math.abs(contrastRatio(parseColor('#777')!, parseColor('#777')!) - 1) < 1e-9);
});

test('a translucent task colour is composited over the background, then made readable (≥ 4.5:1)', () => {
  // A faint orange, as translucent chart colours look in Dark Modern: nearly invisible as is.
  const faint = '#d1861640';
  const flat = composite(parseColor(faint)!, parseColor(DARK)!);
  assert.ok(contrastRatio(flat, parseColor(DARK)!) < 2, 'the problem: about 1.6:1');
  for (const bg of [DARK, LIGHT, '#f8f8f8', '#181818']) {
    for (const c of [faint, '#3794ff', '#3794ff66', '#89d185', '#cca700', '#b180d7', '#f14c4c', '#005fb8']) {
      const out = readableOn(c, bg);
      assert.match(out, /^#[0-9a-f]{6}$/, `${c} on ${bg}: opaque hex`);
      const ratio = contrastRatio(parseColor(out)!, parseColor(bg)!);
      assert.ok(ratio >= 4.5, `${c} on ${bg} → ${out}: ${ratio.toFixed(2)}:1`);
    }
  }
});

test('a colour already readable is kept as it is (only made opaque)', () => {
  assert.equal(readableOn('#3794ff', DARK), '#3794ff');
  assert.equal(readableOn('#005fb8', LIGHT), '#005fb8');
  assert.equal(toHex(parseColor('#3794ff')!), '#3794ff');
  assert.equal(readableOn('not a colour', DARK), 'not a colour');
});
