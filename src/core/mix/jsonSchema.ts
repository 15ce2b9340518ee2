import * as z from 'zod';
import { StructuredMixSchema } from './structured';

/** JSON Schema of `*.superposition.json`, for the editor's validation and completion. */
export function structuredMixJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(StructuredMixSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://superposition-lab.dev/schemas/superposition.schema.json',
    title: 'Superposition Lab prompt mix',
    description: 'Few-shot examples (optionally labelled with a task), the query, and the tasks to measure (built-in ids or custom tasks with an answer or a lookup table).',
  };
}
