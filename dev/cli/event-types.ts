import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EVENT_TYPES_FILE, generateEventTypes } from '../../harness/event-catalogue-types.ts';
import { parseCommand } from '../../ops/command-line.ts';
import { runCommand } from '../../ops/run-command.ts';

const COMMAND = {
  name: 'events:types',
  synopsis: '',
  summary:
    `Writes ${EVENT_TYPES_FILE}, the TypeScript types of the stack's events, from their JSON\n` +
    'Schemas in docs/events/ (run it after changing a schema; a test fails until you do).',
  options: {},
  flags: {},
  examples: ['npm run events:types'],
  positionals: false,
} as const;

const main = async (): Promise<number> => {
  parseCommand(COMMAND);
  const target = fileURLToPath(new URL(`../../${EVENT_TYPES_FILE}`, import.meta.url));
  await writeFile(target, await generateEventTypes());
  process.stdout.write(`${EVENT_TYPES_FILE} written from docs/events/\n`);
  return 0;
};

runCommand(main);
