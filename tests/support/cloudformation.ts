import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown> & { [key: string]: unknown };
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export interface PackagedService {
  readonly template: CfnTemplate;
  readonly artifactBytes: (functionKey: string) => Promise<number>;
  cleanup(): Promise<void>;
}

const run = promisify(execFile);

/** Runs `serverless package` the way an operator would, into a temporary folder. */
export const packageService = async (stage = 'test'): Promise<PackagedService> => {
  const dir = await mkdtemp(join(tmpdir(), 'signinghub-finish-package-'));
  await run(
    process.execPath,
    ['node_modules/osls/bin/serverless.js', 'package', '--stage', stage, '--package', dir],
    { cwd: process.cwd(), env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' }, timeout: 120_000 },
  );
  const template = JSON.parse(
    await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  return {
    template,
    artifactBytes: async (functionKey) => (await stat(join(dir, `${functionKey}.zip`))).size,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};

export const resourcesOfType = (template: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

export const resource = (template: CfnTemplate, logicalId: string): CfnResource => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
};

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of the inline policies of a role. */
export const roleStatements = (role: CfnResource): PolicyStatement[] => {
  const policies = (role.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: PolicyStatement[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];
