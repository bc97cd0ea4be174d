import { SigningHubFinishError } from '../lib/errors.ts';
import { SYSTEM } from '../lib/system.ts';
import { describeAwsFailure } from './aws-failure.ts';
import { PACKAGE_USAGE, packageCommandLine } from './operator-target.ts';
import { describeReconcile, reconcileOne } from './reconcile-one.ts';
import type { Streams } from './run-command.ts';
import type { TargetOpener } from './target.ts';
import { UserError } from './user-error.ts';

const COMMAND = {
  name: 'reconcile',
  synopsis: PACKAGE_USAGE,
  summary:
    "Confirms one package with its tenant's SigningHub workflow API now, as the reconcile " +
    'function does, and records what SigningHub says (only a package the table knows).',
  examples: [
    'npm run reconcile -- 1001',
    'npm run reconcile -- 1001 --tenant acme',
    'npm run reconcile -- 1001 --stage prod --region eu-west-1',
  ],
};

/**
 * One of the project's own failures (a secret that cannot be read, say) as the line it already
 * is; those never hold a secret's value. AWS's refusals are left to the AWS line.
 */
export const asReconcileFailure = (error: unknown, region: string): unknown =>
  error instanceof SigningHubFinishError && describeAwsFailure(error, region) === undefined
    ? new UserError(`${error.message}; fix that and run it again`, { cause: error })
    : error;

/** `npm run reconcile`: one package confirmed with SigningHub now. */
export const reconcile = async (
  args: readonly string[],
  open: TargetOpener,
  { stdout }: Streams,
  now: () => Date = SYSTEM.now,
): Promise<number> => {
  const { target, packageId, tenant, json } = packageCommandLine(COMMAND, args);
  return open(target, async (opened) => {
    try {
      const result = await reconcileOne(
        { packageId, tenant },
        {
          packages: opened.packages(tenant),
          signingHub: await opened.signingHub(tenant),
          now,
          tableName: opened.about.tableName,
          where: opened.where,
        },
      );
      stdout.write(
        json ? `${JSON.stringify(result, null, 2)}\n` : `${describeReconcile(result)}\n`,
      );
      return 0;
    } catch (error) {
      throw asReconcileFailure(error, opened.about.region);
    }
  });
};
