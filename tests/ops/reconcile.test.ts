import { describe, expect, it } from 'vitest';
import { SigningHubFinishError, StoreError } from '../../lib/errors.ts';
import { RetryableSigningHubError } from '../../lib/signinghub/errors.ts';
import type { WorkflowPort } from '../../lib/signinghub/ports.ts';
import type { PackageItem, PackageStatus } from '../../lib/store/items.ts';
import type { Confirmation, PackageStore } from '../../lib/store/ports.ts';
import { DEFAULT_TENANT } from '../../lib/tenants/tenant-id.ts';
import { asReconcileFailure, reconcile } from '../../ops/reconcile-command.ts';
import {
  describeReconcile,
  type ReconcileOneDependencies,
  reconcileOne,
} from '../../ops/reconcile-one.ts';
import { reconcileConfig, tenantSigningHub } from '../../ops/target.ts';
import { isUserError, UserError } from '../../ops/user-error.ts';
import { rejection } from '../support/rejection.ts';
import { fakeTarget, NEVER_OPENED, openerOf, packageItem, run } from './command-run.ts';

const NOW = new Date('2026-11-28T08:00:00.000Z');

/** A package of the default tenant. */
const mine = (packageId: number) => ({ tenant: DEFAULT_TENANT, packageId });

/**
 * The package items in memory, final statuses kept as the store keeps them; `meanwhile` is a
 * final status another writer records between the read and the confirmation.
 */
const packagesOf = (items: readonly PackageItem[], meanwhile?: PackageStatus) => {
  const recorded: { packageId: number; confirmation: Confirmation; now: Date }[] = [];
  const packages: Pick<PackageStore, 'getPackage' | 'recordConfirmation'> = {
    getPackage: async (packageId) => items.find((item) => item.packageId === packageId),
    recordConfirmation: async (packageId, confirmation, now) => {
      recorded.push({ packageId, confirmation, now });
      if (meanwhile) return { status: meanwhile, becameFinal: false };
      const final = confirmation.status !== 'IN_PROGRESS';
      return { status: confirmation.status, becameFinal: final };
    },
  };
  return { packages, recorded };
};

/** SigningHub answering `workflowStatus` (undefined: 404), or failing with `error`. */
const signingHubSaying = (workflowStatus: string | undefined, error?: Error) => {
  const asked: number[] = [];
  const signingHub: WorkflowPort = {
    getWorkflow: async (packageId) => {
      asked.push(packageId);
      if (error) throw error;
      return workflowStatus === undefined ? undefined : { packageId, workflowStatus };
    },
  };
  return { signingHub, asked };
};

const depsOf = (
  packages: ReconcileOneDependencies['packages'],
  signingHub: WorkflowPort,
): ReconcileOneDependencies => ({
  packages,
  signingHub,
  now: () => NOW,
  tableName: 'signinghub-finish-test',
  where: 'stage test in eu-west-1',
});

describe('reconcileOne', () => {
  it('records what SigningHub says of an open package, at the time given', async () => {
    const { packages, recorded } = packagesOf([packageItem(1)]);
    const hub = signingHubSaying('COMPLETED');
    expect(await reconcileOne(mine(1), depsOf(packages, hub.signingHub))).toEqual({
      packageId: 1,
      tenant: DEFAULT_TENANT,
      before: 'IN_PROGRESS',
      after: 'COMPLETED',
      signingHubSays: 'COMPLETED',
      becameFinal: true,
    });
    expect(hub.asked).toEqual([1]);
    expect(recorded).toEqual([
      {
        packageId: 1,
        confirmation: { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
        now: NOW,
      },
    ]);
  });

  it('records a package SigningHub no longer has as DELETED, saying 404', async () => {
    const { packages } = packagesOf([packageItem(2)]);
    const result = await reconcileOne(
      mine(2),
      depsOf(packages, signingHubSaying(undefined).signingHub),
    );
    expect(result).toMatchObject({ after: 'DELETED', signingHubSays: '404', becameFinal: true });
  });

  it('leaves a package still in progress in progress', async () => {
    const { packages } = packagesOf([packageItem(3)]);
    const result = await reconcileOne(
      mine(3),
      depsOf(packages, signingHubSaying('SHARED').signingHub),
    );
    expect(result).toEqual({
      packageId: 3,
      tenant: DEFAULT_TENANT,
      before: 'IN_PROGRESS',
      after: 'IN_PROGRESS',
      signingHubSays: 'SHARED',
      becameFinal: false,
    });
  });

  it('keeps a final status another writer recorded meanwhile', async () => {
    const { packages } = packagesOf([packageItem(4)], 'DECLINED');
    const result = await reconcileOne(
      mine(4),
      depsOf(packages, signingHubSaying('COMPLETED').signingHub),
    );
    expect(result).toMatchObject({ before: 'IN_PROGRESS', after: 'DECLINED', becameFinal: false });
  });

  it('does not ask SigningHub again about a final package', async () => {
    const { packages, recorded } = packagesOf([
      packageItem(5, { status: 'COMPLETED', workflowStatus: 'COMPLETED' }),
    ]);
    const hub = signingHubSaying('IN_PROGRESS');
    expect(await reconcileOne(mine(5), depsOf(packages, hub.signingHub))).toEqual({
      packageId: 5,
      tenant: DEFAULT_TENANT,
      before: 'COMPLETED',
      after: 'COMPLETED',
      signingHubSays: 'COMPLETED',
      becameFinal: false,
    });
    expect(hub.asked).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('refuses a package the table does not know, asking SigningHub nothing', async () => {
    const { packages, recorded } = packagesOf([]);
    const hub = signingHubSaying(undefined);
    const error = await rejection(reconcileOne(mine(6), depsOf(packages, hub.signingHub)));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'package 6 is not in the table signinghub-finish-test (stage test in eu-west-1): its ' +
        'first finish or callback puts it there; check the package id, and --stage',
    );
    expect(hub.asked).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('changes nothing when SigningHub cannot answer, and says so', async () => {
    const { packages, recorded } = packagesOf([packageItem(7)]);
    const failing = new RetryableSigningHubError('workflow', { httpStatus: 503, message: 'busy' });
    const error = await rejection(
      reconcileOne(mine(7), depsOf(packages, signingHubSaying('x', failing).signingHub)),
    );
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'package 7: could not confirm it with SigningHub (SigningHub workflow failed (HTTP 503): ' +
        'busy); nothing changed: try again later (the reconciler also tries on its schedule)',
    );
    expect(recorded).toEqual([]);
  });
});

describe('describeReconcile', () => {
  const result = {
    packageId: 9,
    tenant: DEFAULT_TENANT,
    before: 'IN_PROGRESS',
    becameFinal: false,
  } as const;

  it.each([
    [
      { ...result, before: 'DECLINED', after: 'DECLINED', signingHubSays: 'DECLINED' },
      'package 9 is already DECLINED: nothing to confirm (a final status stays); npm run ' +
        'republish -- 9 sends its completion event again',
    ],
    [
      { ...result, after: 'COMPLETED', signingHubSays: 'COMPLETED', becameFinal: true },
      'package 9: SigningHub says COMPLETED; recorded COMPLETED, final now (the stream ' +
        'publishes its completion event)',
    ],
    [
      { ...result, after: 'DELETED', signingHubSays: '404', becameFinal: true },
      'package 9: SigningHub no longer has it (404); recorded DELETED, final now (the stream ' +
        'publishes its completion event)',
    ],
    [
      { ...result, after: 'DECLINED', signingHubSays: 'COMPLETED' },
      'package 9: SigningHub says COMPLETED; it became DECLINED meanwhile, which stays',
    ],
    [
      { ...result, after: 'IN_PROGRESS', signingHubSays: 'SHARED' },
      'package 9: SigningHub says SHARED; still IN_PROGRESS',
    ],
    [
      { ...result, after: 'IN_PROGRESS', signingHubSays: undefined },
      'package 9: SigningHub says nothing about its workflow; still IN_PROGRESS',
    ],
  ] as const)('says %o as one line', (given, line) => {
    expect(describeReconcile(given)).toBe(line);
  });
});

describe('npm run reconcile', () => {
  const target = (signingHub: () => Promise<WorkflowPort>) =>
    fakeTarget({ packages: () => packagesOf([packageItem(11)]).packages, signingHub });

  it('says what it recorded, at the time given, or answers it in JSON', async () => {
    const hub = async () => signingHubSaying('COMPLETED').signingHub;
    const store = packagesOf([packageItem(11)]);
    const opened = fakeTarget({ packages: () => store.packages, signingHub: hub });
    const text = await run((streams) =>
      reconcile(['11'], openerOf(opened).opener, streams, () => NOW),
    );
    expect(store.recorded.map((entry) => entry.now)).toEqual([NOW]);
    expect(text).toEqual({
      code: 0,
      stdout:
        'package 11: SigningHub says COMPLETED; recorded COMPLETED, final now (the stream ' +
        'publishes its completion event)\n',
      stderr: '',
    });
    const json = await run((streams) =>
      reconcile(['11', '--json'], openerOf(target(hub)).opener, streams),
    );
    expect(JSON.parse(json.stdout)).toEqual({
      packageId: 11,
      tenant: DEFAULT_TENANT,
      before: 'IN_PROGRESS',
      after: 'COMPLETED',
      signingHubSays: 'COMPLETED',
      becameFinal: true,
    });
  });

  it("says one of the project's own failures as the line it is, with what to do", async () => {
    const unreadable = async (): Promise<WorkflowPort> => {
      throw new SigningHubFinishError('the SigningHub credentials secret x is not JSON');
    };
    expect(
      await run((streams) => reconcile(['11'], openerOf(target(unreadable)).opener, streams)),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: 'the SigningHub credentials secret x is not JSON; fix that and run it again\n',
    });
  });

  it('leaves an AWS refusal, and any other failure, as it is for the AWS line', () => {
    const denied = new StoreError('GetItem', {
      cause: Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    });
    expect(asReconcileFailure(denied, 'eu-west-1')).toBe(denied);
    const other = new Error('boom');
    expect(asReconcileFailure(other, 'eu-west-1')).toBe(other);
    const own = new SigningHubFinishError('own');
    const line = asReconcileFailure(own, 'eu-west-1');
    expect(isUserError(line)).toBe(true);
    expect((line as Error).cause).toBe(own);
  });

  it('refuses a command line without one package id, exit 2', async () => {
    const { code, stderr } = await run((streams) => reconcile(['x'], NEVER_OPENED, streams));
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^"x" is not a package id \(a positive integer\); usage: npm run reconcile -- /,
    );
  });
});

describe('npm run reconcile, a tenant’s package', () => {
  it("confirms it with the tenant's own store and SigningHub, and says whose it is", async () => {
    const store = packagesOf([packageItem(21)]);
    const hub = signingHubSaying('DECLINED');
    const whose: string[] = [];
    const opened = fakeTarget({
      packages: (tenant) => {
        whose.push(`packages ${tenant}`);
        return store.packages;
      },
      signingHub: async (tenant) => {
        whose.push(`SigningHub ${tenant}`);
        return hub.signingHub;
      },
    });
    const { opener } = openerOf(opened);
    const text = await run((streams) => reconcile(['21', '--tenant', 'acme'], opener, streams));
    expect(text).toEqual({
      code: 0,
      stdout:
        'package 21 of tenant acme: SigningHub says DECLINED; recorded DECLINED, final now (the ' +
        'stream publishes its completion event)\n',
      stderr: '',
    });
    const json = await run((streams) =>
      reconcile(['21', '--tenant', 'acme', '--json'], opener, streams),
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ packageId: 21, tenant: 'acme' });
    await run((streams) => reconcile(['21', '--tenant', 'default'], opener, streams));
    await run((streams) => reconcile(['21'], opener, streams));
    expect(whose).toEqual([
      'packages acme',
      'SigningHub acme',
      'packages acme',
      'SigningHub acme',
      'packages default',
      'SigningHub default',
      'packages default',
      'SigningHub default',
    ]);
  });

  it('says in one line, exit 1, that the target cannot reach the tenant', async () => {
    const opened = fakeTarget({
      packages: () => packagesOf([packageItem(22)]).packages,
      signingHub: async (tenant) => {
        throw new UserError(`no SigningHub for ${tenant}`);
      },
    });
    expect(
      await run((streams) =>
        reconcile(['22', '--tenant', 'acme'], openerOf(opened).opener, streams),
      ),
    ).toEqual({ code: 1, stdout: '', stderr: 'no SigningHub for acme\n' });
  });

  it('names the tenant, and how to name it again, in what it says', async () => {
    const acme = { tenant: 'acme', packageId: 9 } as const;
    expect(
      describeReconcile({
        ...acme,
        before: 'COMPLETED',
        after: 'COMPLETED',
        signingHubSays: 'COMPLETED',
        becameFinal: false,
      }),
    ).toBe(
      'package 9 of tenant acme is already COMPLETED: nothing to confirm (a final status ' +
        'stays); npm run republish -- 9 --tenant acme sends its completion event again',
    );
    const error = await rejection(
      reconcileOne(acme, depsOf(packagesOf([]).packages, signingHubSaying('x').signingHub)),
    );
    expect(error.message).toBe(
      'package 9 of tenant acme is not in the table signinghub-finish-test (stage test in ' +
        'eu-west-1): its first finish or callback puts it there; check the package id, --tenant ' +
        'and --stage',
    );
  });

  it('refuses a malformed --tenant in one line naming the flag and the pattern, exit 2', async () => {
    const { code, stderr } = await run((streams) =>
      reconcile(['1', '--tenant', 'ACME'], NEVER_OPENED, streams),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^--tenant "ACME" is not a tenant id \(.*\^\[a-z0-9\]\(\[a-z0-9-\]\{0,38\}\[a-z0-9\]\)\?\$\); usage: npm run reconcile -- <packageId> \[--tenant <id>\] /,
    );
  });
});

describe('tenantSigningHub', () => {
  const config = (tenantsSecretPrefix: string | undefined) =>
    reconcileConfig(
      {
        TABLE_NAME: 't',
        SIGNINGHUB_CLIENT_ID: 'id',
        SIGNINGHUB_CLIENT_SECRET: 'client-secret-value',
        SIGNINGHUB_USERNAME: 'u@example.com',
        SIGNINGHUB_PASSWORD: 'password-value',
        ...(tenantsSecretPrefix ? { TENANTS_SECRET_PREFIX: tenantsSecretPrefix } : {}),
      },
      'the test',
    );
  const noSecrets = () => {
    throw new Error('Secrets Manager was asked');
  };

  it('opens the default tenant from the environment, without Secrets Manager', async () => {
    const hub = await tenantSigningHub(config('x/tenants/'), noSecrets, DEFAULT_TENANT);
    expect(typeof hub.getWorkflow).toBe('function');
  });

  it('says a tenant cannot be reached where no tenants are configured, naming it', async () => {
    const error = await rejection(tenantSigningHub(config(undefined), noSecrets, 'acme'));
    expect(isUserError(error)).toBe(true);
    expect(error.message).toBe(
      'cannot reach the SigningHub of tenant acme (unknown): no tenants are configured ' +
        '(TENANTS_SECRET_PREFIX is unset); check --tenant, and that the tenant has its secret',
    );
  });
});
