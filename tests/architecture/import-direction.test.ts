import { describe, expect, it } from 'vitest';
import { importViolations, repositorySources } from './import-direction.ts';

describe('the import direction', () => {
  it('holds across the repository: no folder imports what it may not', () => {
    const sources = repositorySources();
    expect(sources.some((file) => file.path.startsWith('ops/'))).toBe(true);
    expect(sources.some((file) => file.path.startsWith('infra/'))).toBe(true);
    expect(importViolations(sources)).toEqual([]);
  });

  it.each([
    ['ops/cli/status.ts', "import { x } from '../../harness/table.ts';", 'harness/table.ts'],
    ['ops/target.ts', "import { x } from '../dev/local-settings.ts';", 'dev/local-settings.ts'],
    [
      'lib/store/keys.ts',
      "import type { X } from '../../functions/finish.ts';",
      'functions/finish.ts',
    ],
    ['lib/x.ts', "export { y } from '../ops/x.ts';", 'ops/x.ts'],
    [
      'functions/finish.ts',
      "const m = await import('../harness/lambda-context.ts');",
      'harness/lambda-context.ts',
    ],
    ['harness/table.ts', "import '../dev/start.ts';", 'dev/start.ts'],
    ['infra/alarms.cjs', "const { a } = require('../lib/metrics.ts');", 'lib/metrics.ts'],
    ['infra/alarms.cjs', "const t = require('../tests/support/x.ts');", 'tests/support/x.ts'],
  ])('refuses %s importing %s', (path, text, target) => {
    expect(importViolations([{ path, text }])).toEqual([{ file: path, imports: target }]);
  });

  it.each([
    ['functions/finish.ts', "import { x } from '../lib/finish/finish-package.ts';"],
    [
      'ops/cli/status.ts',
      "import { x } from '../target.ts';\nimport { y } from '../../lib/store/keys.ts';",
    ],
    [
      'infra/watched-metrics.cjs',
      "const c = require('../lib/metrics-catalogue.ts');\nrequire('./x.cjs');",
    ],
    [
      'dev/start.ts',
      "import { x } from '../harness/table.ts';\nimport { y } from '../ops/target.ts';",
    ],
    ['bench/run.ts', "import { x } from '../tests/support/dynamodb.ts';"],
    [
      'harness/table.ts',
      "import { x } from 'node:fs';\nimport { y } from '@aws-sdk/client-dynamodb';",
    ],
  ])('lets %s import what it may', (path, text) => {
    expect(importViolations([{ path, text }])).toEqual([]);
  });
});
