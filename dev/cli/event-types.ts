import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EVENT_TYPES_FILE, generateEventTypes } from '../../harness/event-catalogue-types.ts';

// npm run events:types: the consumers' TypeScript types, generated from docs/events/*.schema.json.
const target = fileURLToPath(new URL(`../../${EVENT_TYPES_FILE}`, import.meta.url));
await writeFile(target, await generateEventTypes());
console.log(`${EVENT_TYPES_FILE} written from docs/events/`);
