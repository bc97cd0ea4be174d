import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cfnLint, type LintFinding } from '../support/cfn-lint.ts';
import { resource } from '../support/cloudformation.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import {
  CONFIGURATIONS,
  type Configuration,
  type PackagedService,
  packagedService,
} from '../support/packaged-services.ts';

interface Linted {
  readonly services: Readonly<Record<Configuration, PackagedService>>;
  /** The findings of the one cfn-lint run, by file. */
  findingsOf(path: string): LintFinding[];
}

const configurations = Object.keys(CONFIGURATIONS) as Configuration[];

/** A copy of the default template with a deliberate mistake, to show the linter is listening. */
const brokenCopy = async (service: PackagedService, dir: string): Promise<string> => {
  const template = structuredClone(service.template);
  // Below the function's 60 s: a message would come back while finish still works on it.
  resource(template, 'SigningEventsQueue').Properties.VisibilityTimeout = 30;
  const path = join(dir, 'broken-visibility-timeout.json');
  await writeFile(path, JSON.stringify(template));
  return path;
};

const linted = withDeployTools<Linted & { readonly brokenPath: string }>(async (defer) => {
  const entries = await Promise.all(
    configurations.map(async (name) => [name, await packagedService(name)] as const),
  );
  const services = Object.fromEntries(entries) as Record<Configuration, PackagedService>;
  const dir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const brokenPath = await brokenCopy(services.default, dir);
  // One run over every template: cfn-lint takes seconds to start.
  const files = [
    ...Object.values(services).flatMap((service) => [
      service.templatePath,
      service.createTemplatePath,
    ]),
    brokenPath,
  ];
  const findings = await cfnLint(files);
  return {
    services,
    brokenPath,
    findingsOf: (path) => findings.filter((finding) => finding.file === path),
  };
}, 300_000);

const describeFinding = ({ rule, path, message }: LintFinding) => `${rule} at ${path}: ${message}`;

describe('cfn-lint, over the templates serverless package writes', () => {
  it.each(configurations)('finds nothing in the stack template of the %s configuration', (name) => {
    const { services, findingsOf } = linted();
    expect(findingsOf(services[name].templatePath).map(describeFinding)).toEqual([]);
  });

  it.each(configurations)(
    'finds nothing in the create template of the %s configuration',
    (name) => {
      const { services, findingsOf } = linted();
      expect(findingsOf(services[name].createTemplatePath).map(describeFinding)).toEqual([]);
    },
  );

  it('reports a queue visibility timeout below the function timeout', () => {
    const { brokenPath, findingsOf } = linted();
    expect(findingsOf(brokenPath).map((finding) => finding.rule)).toEqual(['E3505']);
  });
});
