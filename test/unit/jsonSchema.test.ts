import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { structuredMixJsonSchema } from '../../src/core/mix/jsonSchema';

test('the shipped JSON schema is generated from the parser schema (run scripts/gen-schema.ts after changes)', () => {
  const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'superposition.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(structuredMixJsonSchema())));
  const mix = shipped['else'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(mix['properties'] as object).sort(), ['$schema', 'examples', 'query', 'separator', 'tasks']);
  assert.deepEqual(mix['required'], ['examples', 'query']);
  const experiment = shipped['then'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(experiment['properties'] as object).sort(), ['$schema', 'description', 'experiment']);
  assert.deepEqual(shipped['if'], { type: 'object', required: ['experiment'] });
});
