import { parsePackageId } from '../lib/package-id.ts';
import { DEFAULT_TENANT, isTenantId } from '../lib/tenants/tenant-id.ts';
import { type CommandSpec, parseCommand, UsageError, usageLine } from './command-line.ts';

/** serverless.yml's service: a stage's stack is `<service>-<stage>`. */
export const SERVICE = 'signinghub-finish';

/** The options every operator command takes, for its parseArgs config. */
export const TARGET_OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** The usage's part for them. */
export const TARGET_USAGE = '[--stage <stage> [--region <region>]] [--json]';

/** Their help lines. */
export const TARGET_FLAGS = {
  stage:
    'act on this deployed stage (its stack signinghub-finish-<stage>); without it, the local stack',
  region: "the stage's AWS region (default: as the AWS CLI finds it); only with --stage",
  json: 'print the result as JSON',
} as const;

/** `--tenant`, for the commands that take a package id. */
export const TENANT_OPTION = { tenant: { type: 'string' } } as const;

export const TENANT_USAGE = '[--tenant <id>]';

export const TENANT_FLAG = {
  tenant:
    "the package's tenant, the SigningHub enterprise it belongs to (default: the deployment's own, " +
    'also named default)',
} as const;

/** The tenant id's pattern, as `--tenant`'s errors name it. */
const TENANT_PATTERN = '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$';

/** The tenant `--tenant` names: left out and `default` are the same; a malformed one is a UsageError. */
export const tenantOption = (value: string | undefined, usage: string): string => {
  if (value === undefined) return DEFAULT_TENANT;
  if (!isTenantId(value)) {
    throw new UsageError(
      `--tenant "${value}" is not a tenant id (1 to 40 of a-z, 0-9 and -, a letter or digit ` +
        `first and last: ${TENANT_PATTERN}); ${usage}`,
    );
  }
  return value;
};

/** How the lines name a package: `package 1001`, or `package 1001 of tenant acme`. */
export const packageName = (packageId: number, tenant: string): string =>
  tenant === DEFAULT_TENANT ? `package ${packageId}` : `package ${packageId} of tenant ${tenant}`;

/** The words after `npm run <command> --` that name a package again: `1001`, `1001 --tenant acme`. */
export const packageArgs = (packageId: number, tenant: string): string =>
  tenant === DEFAULT_TENANT ? String(packageId) : `${packageId} --tenant ${tenant}`;

/** What to check when a package is not in the table: its id, its tenant, the stage. */
export const checkPackage = (tenant: string): string =>
  tenant === DEFAULT_TENANT
    ? 'check the package id, and --stage'
    : 'check the package id, --tenant and --stage';

/** Where a command acts: the stack npm start runs, or a deployed stage in a region. */
export type Target =
  | { readonly kind: 'local' }
  | { readonly kind: 'stage'; readonly stage: string; readonly region: string | undefined };

/** What serverless accepts as a stage in a stack name: letters, digits and hyphens. */
const STAGE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
/** An AWS region's shape (eu-west-1, us-gov-west-1, cn-north-1, ap-southeast-5). */
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

export const stackNameOf = (stage: string): string => `${SERVICE}-${stage}`;

/** The target from `--stage` and `--region`; a malformed one is a one-line UsageError. */
export const targetOf = (
  values: { readonly stage?: string | undefined; readonly region?: string | undefined },
  usage: string,
): Target => {
  const { stage, region } = values;
  if (stage === undefined) {
    if (region !== undefined) {
      throw new UsageError(
        `--region goes with --stage: without --stage the command acts on the local stack; ${usage}`,
      );
    }
    return { kind: 'local' };
  }
  if (!STAGE.test(stage)) {
    throw new UsageError(
      `"${stage}" is not a stage name (letters, digits and hyphens, as given to serverless deploy --stage); ${usage}`,
    );
  }
  if (region !== undefined && !REGION.test(region)) {
    throw new UsageError(`"${region}" is not an AWS region (like eu-west-1); ${usage}`);
  }
  return { kind: 'stage', stage, region };
};

const PACKAGE_OPTIONS = { ...TENANT_OPTION, ...TARGET_OPTIONS } as const;

/** The synopsis of a command on one package. */
export const PACKAGE_USAGE = `<packageId> ${TENANT_USAGE} ${TARGET_USAGE}`;

/** The command line of a command on one package: `<packageId>`, `--tenant` and the target options. */
export const packageCommandLine = (
  spec: Omit<CommandSpec<typeof PACKAGE_OPTIONS>, 'options' | 'flags' | 'positionals' | 'words'>,
  args?: readonly string[],
): {
  readonly target: Target;
  readonly packageId: number;
  readonly tenant: string;
  readonly json: boolean;
} => {
  const full: CommandSpec<typeof PACKAGE_OPTIONS> = {
    ...spec,
    words: { '<packageId>': 'the package, a positive integer' },
    options: PACKAGE_OPTIONS,
    flags: { ...TENANT_FLAG, ...TARGET_FLAGS },
    positionals: true,
  };
  const usage = usageLine(full);
  const { values, positionals } = parseCommand(full, args);
  const target = targetOf(values, usage);
  const tenant = tenantOption(values.tenant, usage);
  const [idText, ...rest] = positionals;
  if (idText === undefined) throw new UsageError(`a package id is missing; ${usage}`);
  if (rest.length > 0)
    throw new UsageError(`one package id only, not "${rest.join(' ')}"; ${usage}`);
  const packageId = parsePackageId(idText);
  if (packageId === undefined) {
    throw new UsageError(`"${idText}" is not a package id (a positive integer); ${usage}`);
  }
  return { target, packageId, tenant, json: values.json === true };
};
