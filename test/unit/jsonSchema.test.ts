import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { structuredMixJsonSchema } from '../../src/core/mix/jsonSchema';

test('the shipped JSON schema is generated from the parser schema (run scripts/gen-schema.ts after changes)', () => {
  const shipped = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'superposition.schema.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(shipped, JSON.parse(JSON.stringify(structuredMixJsonSchema())));
  const properties = shipped['properties'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(properties).sort(), ['$schema', 'examples', 'query', 'separator', 'tasks']);
  assert.deepEqual(shipped['required'], ['examples', 'query']);
});
