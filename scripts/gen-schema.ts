// Writes schemas/superposition.schema.json (editor validation of *.superposition.json files)
// from the zod schema the parser uses, so the two cannot drift apart.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { structuredMixJsonSchema } from '../src/core/mix/jsonSchema';

writeFileSync(join(__dirname, '..', 'schemas', 'superposition.schema.json'), `${JSON.stringify(structuredMixJsonSchema(), null, 2)}\n`);
