import { type Environment, loadReconcileConfig, type ReconcileConfig } from '../../lib/config.ts';
import { isConfigError, SigningHubFinishError } from '../../lib/errors.ts';
import { signingHubClientFrom } from '../../lib/signinghub/client-from-config.ts';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTable } from '../../lib/store/dynamodb-table.ts';
import { SYSTEM } from '../../lib/system.ts';
import { describeAwsFailure } from '../aws-failure.ts';
import { deployedEnvironment } from '../deployed-stack.ts';
import { onStage } from '../on-stage.ts';
import { packageCommandLine, TARGET_USAGE } from '../operator-target.ts';
import { describeReconcile, type ReconcileOneResult, reconcileOne } from '../reconcile-one.ts';
import { runCommand } from '../run-command.ts';
import { tableClient } from '../stack-client.ts';
import { requireRunningStack } from '../stack-state.ts';
import { UserError } from '../user-error.ts';

const COMMAND = {
  name: 'reconcile',
  synopsis: `<packageId> ${TARGET_USAGE}`,
  summary:
    "Confirms one package with SigningHub's workflow API now, as the reconcile function does, " +
    'and records what SigningHub says (only a package the table knows).',
  examples: [
    'npm run reconcile -- 1001',
    'npm run reconcile -- 1001 --stage prod --region eu-west-1',
  ],
};

const report = (result: ReconcileOneResult, json: boolean): number => {
  process.stdout.write(
    json ? `${JSON.stringify(result, null, 2)}\n` : `${describeReconcile(result)}\n`,
  );
  return 0;
};

/** The settings the reconcile function runs with; a bad one is the user's to fix. */
const reconcileConfig = (environment: Environment, whose: string): ReconcileConfig => {
  try {
    return loadReconcileConfig(environment);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    throw new UserError(`${whose} has a bad setting: ${error.message}; fix it and try again`);
  }
};

/**
 * One of the project's own failures (a secret that cannot be read, say) as the line it already
 * is; those never hold a secret's value. AWS's refusals are left to the AWS line.
 */
const asReconcileFailure = (error: unknown, region: string): unknown =>
  error instanceof SigningHubFinishError && describeAwsFailure(error, region) === undefined
    ? new UserError(`${error.message}; fix that and run it again`, { cause: error })
    : error;

const main = async (): Promise<number> => {
  const { target, packageId, json } = packageCommandLine(COMMAND);

  if (target.kind === 'stage') {
    return onStage(target, process.env, async ({ session, stack, clients, where }) => {
      // The deployed function's own settings; its credentials secret is read with the caller's.
      const environment = await deployedEnvironment(clients.lambda(), stack.reconcileFunction);
      const config = reconcileConfig(environment, `the reconcile function of ${where}`);
      try {
        const result = await reconcileOne(packageId, {
          packages: new DynamoDbPackageStore(
            new DynamoDbTable(clients.dynamoDb(), stack.tableName),
          ),
          signingHub: signingHubClientFrom(config.signingHub, clients.secretsManager),
          now: SYSTEM.now,
          tableName: stack.tableName,
          where,
        });
        return report(result, json);
      } catch (error) {
        throw asReconcileFailure(error, session.region);
      }
    });
  }

  const state = await requireRunningStack(process.env);
  // The settings npm start's functions run with, as the stack publishes them.
  const config = reconcileConfig(state.functionEnvironment, 'the local stack (npm start)');
  const client = tableClient(state);
  try {
    const result = await reconcileOne(packageId, {
      packages: new DynamoDbPackageStore(new DynamoDbTable(client, state.tableName)),
      signingHub: signingHubClientFrom(config.signingHub),
      now: SYSTEM.now,
      tableName: state.tableName,
      where: 'the local stack',
    });
    return report(result, json);
  } finally {
    client.destroy();
  }
};

runCommand(main);
