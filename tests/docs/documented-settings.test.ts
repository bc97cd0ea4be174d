import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLD_START_METRIC, METRICS } from '../../lib/metrics-catalogue.ts';
import { type CfnTemplate, resourcesOfType } from '../support/cloudformation.ts';
import { packagedService } from '../support/packaged-services.ts';

const read = (path: string): Promise<string> =>
  readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The text of the section under `heading` (a whole line), up to the next heading of its level. */
const section = (text: string, heading: string): string => {
  const level = /^#+/.exec(heading)?.[0] ?? '#';
  const after = text.split(`\n${heading}\n`)[1];
  if (after === undefined) throw new Error(`no section "${heading}"`);
  return after.split(new RegExp(`\\n${level} `))[0] ?? '';
};

/** The names in backticks in the first cell of each row of the tables in `text`. */
const firstCellNames = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) =>
      [...(line.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
    );

/** The environment variables lib/config.ts reads: each is named there as a quoted string. */
const configVariables = async (): Promise<string[]> => {
  const sources = (await read('lib/config.ts')) + (await read('lib/tenants/grant-fields.ts'));
  const names = [...sources.matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)].map((m) => m[1] ?? '');
  return [...new Set(names)].sort();
};

let template: CfnTemplate;
let interfaceDoc: string;
let readme: string;

beforeAll(async () => {
  template = (await packagedService('default')).template;
  interfaceDoc = await read('docs/interface.md');
  readme = await read('README.md');
  // Packaging builds five functions: minutes on a loaded machine, as the infra tests allow.
}, 300_000);

describe('the documented configuration', () => {
  it('has every variable lib/config.ts reads in the configuration tables of docs/interface.md and the README', async () => {
    const variables = await configVariables();
    expect(variables).toContain('TENANTS_SECRET_PREFIX');
    const documented = new Set(firstCellNames(section(interfaceDoc, '## Configuration')));
    const inReadme = new Set(firstCellNames(section(readme, '## Configuration')));
    expect(variables.filter((name) => !documented.has(name))).toEqual([]);
    expect(variables.filter((name) => !inReadme.has(name))).toEqual([]);
  });

  it('has every variable the packaged stack gives a function in docs/interface.md', () => {
    const documented = new Set(firstCellNames(section(interfaceDoc, '## Configuration')));
    const given = resourcesOfType(template, 'AWS::Lambda::Function').flatMap(([, fn]) => {
      const environment = fn.Properties.Environment as { Variables?: Record<string, unknown> };
      return Object.keys(environment?.Variables ?? {});
    });
    expect([...new Set(given)].filter((name) => !documented.has(name))).toEqual([]);
  });
});

describe('the documented metrics', () => {
  it("lists in docs/interface.md's metrics table every metric of the catalogue, and no other", () => {
    const documented = firstCellNames(section(interfaceDoc, '## Metrics'));
    expect(documented.sort()).toEqual([...Object.keys(METRICS), COLD_START_METRIC].sort());
  });
});

describe('the documented alarms', () => {
  const alarmSuffixes = (): string[] => {
    const stack = 'signinghub-finish-test-';
    return resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
      String(alarm.Properties.AlarmName).replace(stack, ''),
    );
  };

  it('says in the README how many alarms the stack carries', () => {
    const count = /carries its own monitoring: (\d+) CloudWatch alarms/.exec(readme)?.[1];
    expect(Number(count)).toBe(alarmSuffixes().length);
  });

  it("has a row for every alarm of the packaged stack in the README's runbook, and no other", () => {
    const runbook = section(readme, '### Runbook: what each alarm means, and what to do');
    expect(firstCellNames(runbook).sort()).toEqual(alarmSuffixes().sort());
  });

  it("has a row for every archive alarm in docs/operations.md's, and no other", async () => {
    const operations = await read('docs/operations.md');
    const archive = firstCellNames(section(operations, '### Its alarms and dashboard'));
    const expected = alarmSuffixes().filter((name) => name.startsWith('archive'));
    expect(expected.length).toBeGreaterThan(0);
    expect(archive.sort()).toEqual(expected.sort());
  });
});
