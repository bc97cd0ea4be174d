import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { PackageReport } from '../../ops/package-report.ts';
import { npmRun } from '../ops/command-run.ts';
import {
  COMMAND_TEST_MS,
  deployOperatorStage,
  oneLine,
  TENANT,
  TENANT_CREDENTIALS,
} from './operator-commands-stage.ts';

/** The commands on one package, against the default configuration deployed into a moto of its own. */
const { stage, onStage, drain } = deployOperatorStage();

describe('npm run republish on a stage deployed in moto', () => {
  const final = async (packageId: number) => {
    const { packages } = stage();
    await packages.markInProgress(packageId, new Date('2026-11-27T10:00:00Z'));
    await packages.recordConfirmation(
      packageId,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      new Date('2026-11-27T10:05:00Z'),
    );
  };

  it(
    "puts a final package's completion event on the bus again, rebuilt from its item",
    async () => {
      const { observerUrl } = stage();
      await final(7101);

      const result = await onStage('republish', '7101');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toMatch(
        /^package 7101 \(COMPLETED\): SigningPackageCompleted sent again to bus default as event \S+$/,
      );
      const events = (await drain(observerUrl)).map(
        (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        source: 'signinghub.finish',
        'detail-type': 'SigningPackageCompleted',
        detail: { packageId: 7101, status: 'COMPLETED', at: '2026-11-27T10:05:00.000Z' },
      });
    },
    COMMAND_TEST_MS,
  );

  it(
    'answers in JSON with --json',
    async () => {
      const { observerUrl } = stage();
      await final(7102);

      const result = await onStage('republish', '7102', '--json');

      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        packageId: 7102,
        status: 'COMPLETED',
        busName: 'default',
        source: 'signinghub.finish',
        detailType: 'SigningPackageCompleted',
        detail: { packageId: 7102, status: 'COMPLETED' },
      });
      expect(await drain(observerUrl)).toHaveLength(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'refuses a package that is not final, in one line that says what to do',
    async () => {
      const { packages, observerUrl } = stage();
      await packages.markInProgress(7103, new Date());

      const result = await onStage('republish', '7103');

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(oneLine(result.stderr)).toBe(
        "package 7103 is IN_PROGRESS, not final: republish sends only a final package's " +
          'completion event (npm run reconcile -- 7103 asks SigningHub whether it is final now)',
      );
      expect(await drain(observerUrl)).toEqual([]);
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run status on a stage deployed in moto', () => {
  const PACKAGE_ID = 7201;

  it(
    'shows a package and its finish items from the deployed table, in text and in JSON',
    async () => {
      const { packages, finishes } = stage();
      const key = { packageId: PACKAGE_ID, signer: 'alice@example.com' };
      await finishes.claimFinish(
        key,
        { leaseId: 'lease', leaseUntil: Date.now() + 60_000 },
        new Date(),
      );
      await finishes.settleFinish(key, 'lease', {
        status: 'SUCCEEDED',
        now: new Date(),
        requestsSent: 1,
      });
      await packages.markInProgress(PACKAGE_ID, new Date());

      const text = await onStage('status', String(PACKAGE_ID));
      expect(text.stderr).toBe('');
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`package ${PACKAGE_ID}: IN_PROGRESS, 0 callbacks`);
      expect(text.stdout).toMatch(/alice@example\.com\s+SUCCEEDED\s+1\s/);

      const json = await onStage('status', String(PACKAGE_ID), '--json');
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout) as {
        stage: string;
        tableName: string;
        packages: PackageReport[];
      };
      expect(parsed.stage).toBe('test');
      expect(parsed.tableName).toBe('signinghub-finish-test');
      expect(parsed.packages).toHaveLength(1);
      expect(parsed.packages[0]).toMatchObject({
        packageId: PACKAGE_ID,
        package: { status: 'IN_PROGRESS', callbacks: 0 },
        finishes: [{ signer: 'alice@example.com', status: 'SUCCEEDED', attempts: 1 }],
      });

      const list = await onStage('status');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(new RegExp(`^${PACKAGE_ID}\\s+IN_PROGRESS`, 'm'));
      expect(list.stdout).toContain('open packages only');
      // A stage keeps no record of its completion events: no column of them to fill with "-".
      expect(list.stdout).not.toContain('COMPLETION EVENT');
    },
    COMMAND_TEST_MS,
  );

  it(
    'says when the deployed table has nothing for the package',
    async () => {
      const result = await onStage('status', '7299');
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toBe(
        'package 7299 has nothing in the table signinghub-finish-test (stage test in ' +
          'eu-west-1): check the package id, and --stage',
      );
    },
    COMMAND_TEST_MS,
  );
});

describe('npm run reconcile on a stage deployed in moto', () => {
  it(
    "confirms a package with the stage's SigningHub now, with its credentials from the secret",
    async () => {
      const { packages, simulator } = stage();
      simulator.createPackage(7301, ['alice@example.com']);
      simulator.setWorkflowStatus(7301, 'COMPLETED');
      await packages.markInProgress(7301, new Date());

      const result = await onStage('reconcile', '7301');

      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toBe(
        'package 7301: SigningHub says COMPLETED; recorded COMPLETED, final now (the stream ' +
          'publishes its completion event)',
      );
      expect(simulator.count('workflow', 7301)).toBe(1);
      expect(await packages.getPackage(7301)).toMatchObject({
        status: 'COMPLETED',
        workflowStatus: 'COMPLETED',
      });
      for (const secret of [
        DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
        DEFAULT_SIMULATOR_CREDENTIALS.password,
      ]) {
        expect(result.stdout + result.stderr).not.toContain(secret);
      }

      const again = await onStage('reconcile', '7301', '--json');
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toEqual({
        packageId: 7301,
        tenant: 'default',
        before: 'COMPLETED',
        after: 'COMPLETED',
        signingHubSays: 'COMPLETED',
        becameFinal: false,
      });
      // A final package is not asked about again.
      expect(simulator.count('workflow', 7301)).toBe(1);
    },
    COMMAND_TEST_MS,
  );

  it(
    'leaves a package that is still in progress as it is',
    async () => {
      const { packages, simulator } = stage();
      simulator.createPackage(7302, ['alice@example.com']);
      await packages.markInProgress(7302, new Date());

      const result = await onStage('reconcile', '7302');

      expect(result.code).toBe(0);
      expect(oneLine(result.stdout)).toBe(
        'package 7302: SigningHub says IN_PROGRESS; still IN_PROGRESS',
      );
      expect((await packages.getPackage(7302))?.status).toBe('IN_PROGRESS');
    },
    COMMAND_TEST_MS,
  );

  it(
    'refuses a package the table does not know, rather than record it DELETED',
    async () => {
      const { packages, simulator } = stage();

      const result = await onStage('reconcile', '7399');

      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(
        /^package 7399 is not in the table signinghub-finish-test \(stage test in eu-west-1\)/,
      );
      expect(simulator.count('workflow', 7399)).toBe(0);
      expect(await packages.getPackage(7399)).toBeUndefined();
    },
    COMMAND_TEST_MS,
  );
});

describe("the commands on a tenant's package, on a stage deployed in moto", () => {
  it(
    "reconcile confirms it with the tenant's SigningHub (its secret read with the caller's credentials), status shows it, republish sends its event with the tenant",
    async () => {
      const { packages, tenantPackages, simulator, observerUrl } = stage();
      const hub = simulator.enterprise(TENANT);
      // Package 7401 in both tenants: only acme's is final in acme's enterprise.
      hub.createPackage(7401, ['alice@acme.example']);
      hub.setWorkflowStatus(7401, 'DECLINED');
      simulator.createPackage(7401, ['alice@example.com']);
      await tenantPackages.markInProgress(7401, new Date());
      await packages.markInProgress(7401, new Date());
      // Both open: each from its tenant's partition of the index, with whose it is.
      const list = await onStage('status');
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^TENANT +PACKAGE +STATUS/);
      expect(list.stdout).toMatch(/^acme +7401 +IN_PROGRESS /m);
      expect(list.stdout).toMatch(/^default +7401 +IN_PROGRESS /m);

      const reconciled = await onStage('reconcile', '7401', '--tenant', TENANT);

      expect(reconciled.stderr).toBe('');
      expect(reconciled.code).toBe(0);
      expect(oneLine(reconciled.stdout)).toBe(
        'package 7401 of tenant acme: SigningHub says DECLINED; recorded DECLINED, final now ' +
          '(the stream publishes its completion event)',
      );
      expect(hub.count('workflow', 7401)).toBe(1);
      expect(simulator.count('workflow', 7401)).toBe(0);
      expect((await packages.getPackage(7401))?.status).toBe('IN_PROGRESS');

      const shown = await onStage('status', '7401', '--tenant', TENANT, '--json');
      expect(shown.code).toBe(0);
      const [report] = (JSON.parse(shown.stdout) as { packages: PackageReport[] }).packages;
      expect(report).toMatchObject({
        tenant: TENANT,
        packageId: 7401,
        package: { status: 'DECLINED', workflowStatus: 'DECLINED' },
      });
      // acme's is final now: out of the open list, which names no tenant without one listed.
      const after = await onStage('status');
      expect(after.stdout).toMatch(/^7401 +IN_PROGRESS /m);
      expect(after.stdout).not.toContain('TENANT');

      const republished = await onStage('republish', '7401', '--tenant', TENANT);
      expect(republished.stderr).toBe('');
      expect(oneLine(republished.stdout)).toMatch(
        /^package 7401 of tenant acme \(DECLINED\): SigningPackageDeclined sent again to bus default as event \S+$/,
      );
      const events = (await drain(observerUrl)).map(
        (message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
      );
      expect(events).toEqual([
        expect.objectContaining({
          'detail-type': 'SigningPackageDeclined',
          detail: expect.objectContaining({ packageId: 7401, status: 'DECLINED', tenant: TENANT }),
        }),
      ]);
      for (const secret of [TENANT_CREDENTIALS.clientSecret, TENANT_CREDENTIALS.password]) {
        expect(reconciled.stdout + shown.stdout + list.stdout + republished.stdout).not.toContain(
          secret,
        );
      }
    },
    COMMAND_TEST_MS,
  );

  it(
    'reconcile says in one line that a tenant without a secret cannot be reached',
    async () => {
      const result = await onStage('reconcile', '7402', '--tenant', 'beta');
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toBe(
        'cannot reach the SigningHub of tenant beta (unknown): tenant "beta" has no secret ' +
          '"signinghub-finish/test/tenants/beta"; check --tenant, and that the tenant has its secret',
      );
    },
    COMMAND_TEST_MS,
  );
});

describe('the operator commands, finding the region', () => {
  it(
    'take the region from AWS_DEFAULT_REGION as the AWS CLI does',
    async () => {
      const { baseEnv } = stage();
      const env = {
        ...baseEnv,
        AWS_ACCESS_KEY_ID: 'operator',
        AWS_SECRET_ACCESS_KEY: 'operator',
        AWS_DEFAULT_REGION: 'eu-west-1',
      };
      const result = await npmRun(env, 'status', '7299', '--stage', 'test');
      expect(oneLine(result.stderr)).toContain('(stage test in eu-west-1)');
    },
    COMMAND_TEST_MS,
  );
});
