import * as z from 'zod';
import { ExperimentFileSchema } from '../experiments/planFile';
import { StructuredMixSchema } from './structured';

function inputSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/**
 * JSON Schema of `*.superposition.json`, for the editor's validation and completion: an experiment file when
 * the object has an `experiment` property, a prompt mix otherwise.
 */
export function structuredMixJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://superposition-lab.dev/schemas/superposition.schema.json',
    title: 'Superposition Lab prompt mix or experiment',
    description:
      'A prompt mix (few-shot examples optionally labelled with a task, the query, and the tasks to measure), or an experiment file ({ "experiment": { "kind": "scaling" | "calibration", … } }).',
    if: { type: 'object', required: ['experiment'] },
    then: { title: 'Superposition Lab experiment', ...inputSchema(ExperimentFileSchema) },
    else: { title: 'Superposition Lab prompt mix', ...inputSchema(StructuredMixSchema) },
  };
}
