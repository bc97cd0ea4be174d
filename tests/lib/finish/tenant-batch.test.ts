import { describe, expect, it } from 'vitest';
import {
  type BatchDependencies,
  processSigningBatch,
} from '../../../lib/finish/process-signing-batch.ts';
import { DEFAULT_RETRY_POLICY } from '../../../lib/finish/retry-policy.ts';
import type { FinishTenants, TenantStores } from '../../../lib/finish/tenant-routing.ts';
import { UnrecordedOutcomes } from '../../../lib/finish/unrecorded-outcomes.ts';
import { createInvocationBudget } from '../../../lib/invocation-timeline.ts';
import { silentLog } from '../../../lib/logger.ts';
import { RetryableSigningHubError } from '../../../lib/signinghub/errors.ts';
import type { FinishPort } from '../../../lib/signinghub/ports.ts';
import type { RejectedInput } from '../../../lib/store/items.ts';
import { TenantCircuits } from '../../../lib/tenants/circuit-breaker.ts';
import { signingEventBody } from '../../support/factories.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { recordLog } from '../aws/secrets-fixture.ts';

/** Who did what: every store call and every finish sent, named by tenant. */
const journal = () => {
  const entries: string[] = [];
  const stores = (tenant: string): TenantStores => ({
    finishes: {
      claimFinish: async ({ packageId }) => {
        entries.push(`${tenant} claim ${packageId}`);
        return { claimed: true };
      },
      recordRetry: async () => true,
      settleFinish: async ({ packageId }, _lease, { status }) => {
        entries.push(`${tenant} settle ${packageId} ${status}`);
        return true;
      },
    },
    packages: {
      markInProgress: async (packageId) => {
        entries.push(`${tenant} package ${packageId}`);
      },
    },
  });
  const signingHub = (tenant: string, down = false): FinishPort => ({
    finishPackage: async (packageId, options) => {
      options.onRequestSent?.();
      entries.push(`${tenant} finish ${packageId}`);
      if (down)
        throw new RetryableSigningHubError('finish', { message: 'network error: ECONNREFUSED' });
    },
  });
  return { entries, stores, signingHub };
};

const setup = (
  options: { tenants?: Record<string, 'ok' | 'down' | string>; circuits?: boolean } = {},
) => {
  const log = journal();
  const metrics = recordMetrics();
  const rejected: RejectedInput[] = [];
  const handedBack: string[][] = [];
  const configured = options.tenants;
  const tenants: FinishTenants | undefined = configured && {
    stores: log.stores,
    signingHub: async (tenant) => {
      const state = configured[tenant];
      if (state === undefined) return { ok: false, message: `no settings for tenant ${tenant}` };
      if (state !== 'ok' && state !== 'down') return { ok: false, message: state };
      return { ok: true, signingHub: log.signingHub(tenant, state === 'down') };
    },
  };
  const deps: BatchDependencies = {
    ...log.stores('default'),
    rejected: { putRejected: async (input) => void rejected.push(input) },
    signingHub: log.signingHub('default'),
    tenants,
    circuits: options.circuits
      ? new TenantCircuits({ failuresToOpen: 3, coolDownMs: 60_000, now: Date.now })
      : undefined,
    handBackLater: async (ids) => void handedBack.push([...ids]),
    now: () => new Date(),
    sleep: async () => {},
    random: () => 0.5,
    newLeaseId: () => 'lease',
    // One try per delivery: each failure hands its message back at once.
    retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttemptsPerInvocation: 1 },
    requestTimeoutMs: 1_000,
    log: silentLog,
    concurrency: 1,
    metrics,
    keptOutcomes: new UnrecordedOutcomes(),
  };
  return { deps, entries: log.entries, metrics, rejected, handedBack };
};

const message = (id: string, event: Record<string, unknown>) => ({
  messageId: id,
  body: signingEventBody({ signerEmail: 'alice@example.com', ...event }),
});
const run = (deps: BatchDependencies, messages: { messageId: string; body: string }[]) =>
  processSigningBatch(messages, deps, createInvocationBudget(60_000));
const failed = (result: { batchItemFailures: { itemIdentifier: string }[] }) =>
  result.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier).sort();

describe('processSigningBatch with tenants', () => {
  it('finishes each tenant’s event with that tenant’s table side and SigningHub, the same package id in each', async () => {
    const { deps, entries } = setup({ tenants: { acme: 'ok' } });
    const result = await run(deps, [
      message('m1', { packageId: 7, tenant: 'acme' }),
      message('m2', { packageId: 7 }),
      message('m3', { packageId: 7, tenant: 'default' }),
    ]);
    expect(failed(result)).toEqual([]);
    expect(entries.filter((entry) => entry.startsWith('acme'))).toEqual([
      'acme claim 7',
      'acme finish 7',
      'acme settle 7 SUCCEEDED',
      'acme package 7',
    ]);
    // m2 and m3 are the one default finish (the second finds it settled in a real table).
    expect(entries.filter((entry) => entry === 'default finish 7')).toHaveLength(2);
  });

  it('hands back, unsent and unclaimed, the event of a tenant with no settings', async () => {
    const { deps, entries, metrics } = setup({
      tenants: { acme: 'ok', broken: 'tenant broken: base_url is missing' },
    });
    const result = await run(deps, [
      message('m1', { packageId: 1, tenant: 'nobody' }),
      message('m2', { packageId: 2, tenant: 'broken' }),
      message('m3', { packageId: 3, tenant: 'acme' }),
    ]);
    expect(failed(result)).toEqual(['m1', 'm2']);
    expect(entries.filter((entry) => !entry.startsWith('acme'))).toEqual([]);
    expect(metrics.points.filter(({ name }) => name === 'TenantUnavailable')).toHaveLength(2);
    expect(metrics.points.filter(({ name }) => name === 'FinishRetrying')).toHaveLength(2);
  });

  it('hands back a tenant’s event when no tenants are configured at all', async () => {
    const { deps, entries } = setup();
    const result = await run(deps, [message('m1', { packageId: 1, tenant: 'acme' })]);
    expect(failed(result)).toEqual(['m1']);
    expect(entries).toEqual([]);
  });

  it('keeps a malformed tenant as a rejected event, and a rejected event of a tenant with its tenant', async () => {
    const { deps, rejected, entries } = setup({ tenants: { acme: 'ok' } });
    const result = await run(deps, [
      message('m1', { packageId: 1, tenant: 'ACME' }),
      message('m2', { packageId: 'x', tenant: 'acme' }),
    ]);
    expect(failed(result)).toEqual([]);
    expect(entries).toEqual([]);
    expect(rejected.map(({ id, tenant }) => ({ id, tenant }))).toEqual(
      expect.arrayContaining([
        { id: 'event-m1', tenant: undefined },
        { id: 'event-m2', tenant: 'acme' },
      ]),
    );
  });

  it('after a run of failures from one tenant, hands its events back at once and for longer, and finishes the others', async () => {
    const { deps, entries, metrics, handedBack } = setup({
      tenants: { down: 'down', up: 'ok' },
      circuits: true,
    });
    const events = [1, 2, 3, 4, 5].map((id) =>
      message(`d${id}`, { packageId: id, tenant: 'down' }),
    );
    const result = await run(deps, [...events, message('u1', { packageId: 1, tenant: 'up' })]);
    expect(failed(result)).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    // Three failures open the circuit: the fourth and fifth are not sent.
    expect(entries.filter((entry) => entry.startsWith('down finish'))).toHaveLength(3);
    // …nor even claimed: an open circuit hands an event back before it costs a write.
    expect(entries.filter((entry) => entry.startsWith('down claim'))).toHaveLength(3);
    expect(entries).toContain('up finish 1');
    // The one that opened it and those refused by it come back later.
    expect(handedBack).toEqual([['d3', 'd4', 'd5']]);
    expect(metrics.points.filter(({ name }) => name === 'TenantCircuitOpen')).toHaveLength(3);
  });

  it('leaves the default tenant without a circuit when none is given, as before tenants', async () => {
    const { deps, entries, handedBack } = setup({ tenants: { down: 'down' } });
    const events = [1, 2, 3, 4, 5].map((id) =>
      message(`d${id}`, { packageId: id, tenant: 'down' }),
    );
    await run(deps, events);
    expect(entries.filter((entry) => entry.startsWith('down finish'))).toHaveLength(5);
    expect(handedBack).toEqual([]);
  });
});

describe('processSigningBatch with tenants: the edges', () => {
  const unreachable = () =>
    Promise.reject(
      new RetryableSigningHubError('finish', { message: 'network error: ECONNREFUSED' }),
    );

  it('counts a finish settled elsewhere as settled, even when its tenant’s circuit opened meanwhile', async () => {
    const { deps, handedBack } = setup({ tenants: { acme: 'ok' }, circuits: true });
    const { circuits, tenants } = deps;
    if (!circuits || !tenants) throw new Error('the setup has circuits and tenants');
    const acme = tenants.stores('acme');
    const settledElsewhere: TenantStores = {
      ...acme,
      finishes: {
        ...acme.finishes,
        claimFinish: async () => {
          // Other deliveries of the tenant's fail meanwhile, and open its circuit.
          for (const packageId of [11, 12, 13]) {
            await circuits.call('acme', 'finish', packageId, unreachable).catch(() => {});
          }
          return { claimed: false, status: 'SUCCEEDED' };
        },
      },
    };
    const result = await run({ ...deps, tenants: { ...tenants, stores: () => settledElsewhere } }, [
      message('m1', { packageId: 1, tenant: 'acme' }),
    ]);
    expect(circuits.isOpen('acme')).toBe(true);
    expect(failed(result)).toEqual([]);
    expect(handedBack).toEqual([]);
  });

  it('still hands back the messages of an open circuit when SQS refuses to keep them away longer', async () => {
    const { deps } = setup({ tenants: { down: 'down' }, circuits: true });
    const log = recordLog();
    const refusing = async () => {
      throw new Error('AccessDenied');
    };
    const events = [1, 2, 3, 4].map((id) => message(`d${id}`, { packageId: id, tenant: 'down' }));
    const result = await run({ ...deps, log, handBackLater: refusing }, events);
    expect(failed(result)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(log.lines.filter(({ fields }) => fields?.tenant === undefined)).toEqual([
      {
        level: 'warn',
        message: 'could not hand messages back for longer; the queue brings them back sooner',
        fields: { error: expect.objectContaining({ message: 'AccessDenied' }) },
      },
    ]);
    expect(
      log.lines.filter(
        ({ message }) =>
          message === 'the tenant’s SigningHub failed too often just now; handed back for later',
      ),
    ).toEqual([
      expect.objectContaining({
        level: 'warn',
        fields: expect.objectContaining({ messageId: 'd4', tenant: 'down' }),
      }),
    ]);
  });

  it('says why a tenant’s event waits: no tenants configured, or the tenant’s own settings', async () => {
    const reasons = async (tenants: Record<string, string> | undefined) => {
      const { deps } = setup(tenants ? { tenants } : {});
      const log = recordLog();
      await run({ ...deps, log }, [message('m1', { packageId: 1, tenant: 'acme' })]);
      return log.lines.map(({ level, message, fields }) => [level, message, fields?.reason]);
    };
    const waits = 'the tenant has no usable settings; nothing sent, handed back to the queue';
    expect(await reasons(undefined)).toEqual([
      ['warn', waits, 'no tenants are configured (TENANTS_SECRET_PREFIX is empty)'],
    ]);
    expect(await reasons({ acme: 'tenant acme: base_url is missing' })).toEqual([
      ['warn', waits, 'tenant acme: base_url is missing'],
    ]);
  });

  it('writes an outcome a tenant’s finish kept to that tenant’s side of the table', async () => {
    const { deps, entries } = setup({ tenants: { acme: 'ok' } });
    deps.keptOutcomes.keep({
      tenant: 'acme',
      key: { packageId: 5, signer: 'alice@example.com' },
      leaseId: 'earlier-lease',
      settlement: { status: 'SUCCEEDED', now: new Date(0), requestsSent: 1 },
    });
    await run(deps, []);
    expect(entries).toEqual(['acme settle 5 SUCCEEDED', 'acme package 5']);
    expect(deps.keptOutcomes.all()).toEqual([]);
  });
});
