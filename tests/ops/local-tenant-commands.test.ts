import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbPackageStore } from '../../lib/store/dynamodb-package-store.ts';
import { DynamoDbTenantRegistry } from '../../lib/store/dynamodb-tenant-registry.ts';
import { type MotoSecrets, startMotoSecrets } from '../support/moto-secrets.ts';
import { type LocalStack, startLocalStack } from './local-stack.ts';

const COMMAND_TEST_MS = 120_000;
const PREFIX = 'local/tenants/';

/** acme's own account in its enterprise of the simulator; none of it may reach a line. */
const ACME = {
  clientId: 'acme-client',
  clientSecret: 'acme-client-secret-0a1b2c',
  username: 'robot@acme.example',
  password: 'acme-password-3d4e5f',
};

let moto: MotoSecrets;
let stack: LocalStack;
let acme: DynamoDbPackageStore;

/**
 * The local stack with two enterprises in its simulator, the default one and acme, and acme's
 * settings in (moto's) Secrets Manager under the prefix npm start's functions run with.
 */
beforeAll(async () => {
  moto = await startMotoSecrets('eu-west-1');
  stack = await startLocalStack({
    simulator: { enterprises: { acme: { credentials: ACME } } },
    functionEnvironment: {
      TENANTS_SECRET_PREFIX: PREFIX,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    },
  });
  await moto.create(
    `${PREFIX}acme`,
    JSON.stringify({
      base_url: stack.simulator.enterprise('acme').url,
      client_id: ACME.clientId,
      client_secret: ACME.clientSecret,
      username: ACME.username,
      password: ACME.password,
    }),
  );
  const { table } = stack.table;
  acme = new DynamoDbPackageStore(table, 'acme', new DynamoDbTenantRegistry(table));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await moto?.stop();
});

const ops: LocalStack['ops'] = (script, ...args) => stack.ops(script, ...args);

/** Nothing any command printed holds a secret of acme's. */
const noSecretIn = (...texts: string[]) => {
  for (const secret of [ACME.clientSecret, ACME.password]) {
    expect(texts.join('\n')).not.toContain(secret);
  }
};

describe("the operator commands on a tenant's package, on the local stack", () => {
  it(
    "reconcile confirms acme's package with acme's SigningHub only, and status and republish follow it",
    async () => {
      const { simulator, table } = stack;
      const hub = simulator.enterprise('acme');
      // Package 8501 in both enterprises and both tenants: only acme's is final.
      hub.createPackage(8501, ['alice@acme.example']);
      hub.setWorkflowStatus(8501, 'COMPLETED');
      simulator.createPackage(8501, ['alice@example.com']);
      await acme.markInProgress(8501, new Date());
      await table.packages.markInProgress(8501, new Date());

      const reconciled = await ops('reconcile', '8501', '--tenant', 'acme');

      expect(reconciled.stderr).toBe('');
      expect(reconciled.stdout).toBe(
        'package 8501 of tenant acme: SigningHub says COMPLETED; recorded COMPLETED, final now ' +
          '(the stream publishes its completion event)\n',
      );
      expect(reconciled.code).toBe(0);
      expect(hub.count('workflow', 8501)).toBe(1);
      expect(simulator.count('workflow', 8501)).toBe(0);
      expect(moto.reads(`${PREFIX}acme`, 'AWSCURRENT')).toBeGreaterThan(0);
      expect((await table.packages.getPackage(8501))?.status).toBe('IN_PROGRESS');

      const published = await stack.statusUntil(
        ['8501', '--tenant', 'acme'],
        (report) => report.events.length > 0,
      );
      expect(published).toMatchObject({ tenant: 'acme', package: { status: 'COMPLETED' } });
      expect(published.events.map((event) => event.detail)).toEqual([
        expect.objectContaining({ packageId: 8501, status: 'COMPLETED', tenant: 'acme' }),
      ]);

      const republished = await ops('republish', '8501', '--tenant', 'acme', '--json');
      expect(republished.code).toBe(0);
      expect(JSON.parse(republished.stdout)).toMatchObject({
        packageId: 8501,
        tenant: 'acme',
        detail: { packageId: 8501, tenant: 'acme' },
      });
      await stack.statusUntil(['8501', '--tenant', 'acme'], (report) => report.events.length === 2);

      // The default tenant's package of the same id has none of acme's events.
      const mine = await ops('status', '8501', '--tenant', 'default', '--json');
      const [report] = (JSON.parse(mine.stdout) as { packages: { events: unknown[] }[] }).packages;
      expect(report).toMatchObject({ tenant: 'default', package: { status: 'IN_PROGRESS' } });
      expect(report?.events).toEqual([]);
      const list = await ops('status', '--limit', '100');
      expect(list.stdout).toMatch(/^TENANT +PACKAGE +STATUS/);
      expect(list.stdout).toMatch(
        /^acme +8501 +COMPLETED +COMPLETED +0 +- +SigningPackageCompleted ×2 /m,
      );
      expect(list.stdout).toMatch(/^default +8501 +IN_PROGRESS /m);
      noSecretIn(reconciled.stdout, republished.stdout, list.stdout);
    },
    COMMAND_TEST_MS,
  );

  it(
    'reconcile says in one line, exit 1, that a tenant without a secret cannot be reached',
    async () => {
      const result = await ops('reconcile', '8502', '--tenant', 'beta');
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'cannot reach the SigningHub of tenant beta (unknown): tenant "beta" has no secret ' +
          `"${PREFIX}beta"; check --tenant, and that the tenant has its secret\n`,
      });
    },
    COMMAND_TEST_MS,
  );

  it(
    "reconcile names the tenant and the key of invalid settings, never the secret's values",
    async () => {
      await moto.create(
        `${PREFIX}gamma`,
        JSON.stringify({
          base_url: 'ftp://gamma.example',
          client_id: ACME.clientId,
          client_secret: ACME.clientSecret,
          username: ACME.username,
          password: ACME.password,
        }),
      );
      const result = await ops('reconcile', '8503', '--tenant', 'gamma');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^cannot reach the SigningHub of tenant gamma \(invalid\): the settings of tenant "gamma": base_url .*; fix the tenant's secret and run it again\n$/,
      );
      noSecretIn(result.stderr);
    },
    COMMAND_TEST_MS,
  );
});
