import { parsePackageId } from '../lib/package-id.ts';
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

/** The command line of a command on one package: `<packageId>` and the target options. */
export const packageCommandLine = (
  spec: Omit<CommandSpec<typeof TARGET_OPTIONS>, 'options' | 'flags' | 'positionals' | 'words'>,
  args?: readonly string[],
): { readonly target: Target; readonly packageId: number; readonly json: boolean } => {
  const full: CommandSpec<typeof TARGET_OPTIONS> = {
    ...spec,
    words: { '<packageId>': 'the package, a positive integer' },
    options: TARGET_OPTIONS,
    flags: TARGET_FLAGS,
    positionals: true,
  };
  const usage = usageLine(full);
  const { values, positionals } = parseCommand(full, args);
  const target = targetOf(values, usage);
  const [idText, ...rest] = positionals;
  if (idText === undefined) throw new UsageError(`a package id is missing; ${usage}`);
  if (rest.length > 0)
    throw new UsageError(`one package id only, not "${rest.join(' ')}"; ${usage}`);
  const packageId = parsePackageId(idText);
  if (packageId === undefined) {
    throw new UsageError(`"${idText}" is not a package id (a positive integer); ${usage}`);
  }
  return { target, packageId, json: values.json === true };
};
