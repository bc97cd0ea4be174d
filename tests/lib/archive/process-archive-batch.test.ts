import { describe, expect, it } from 'vitest';
import { archiveRequestBody } from '../../../lib/archive/archive-request.ts';
import {
  type ArchiveTenants,
  processArchiveBatch,
} from '../../../lib/archive/process-archive-batch.ts';
import { silentLog } from '../../../lib/logger.ts';
import { RetryableSigningHubError } from '../../../lib/signinghub/errors.ts';
import type { RejectedInput } from '../../../lib/store/items.ts';
import type { ArchiveStore, RejectedStore } from '../../../lib/store/ports.ts';
import { TenantCircuits } from '../../../lib/tenants/circuit-breaker.ts';
import {
  archiveTestDeps,
  documentsOf,
  fakeBucket,
  fakeDocuments,
} from '../../support/archive-fakes.ts';

const request = (messageId: string, packageId: number, tenant = 'default') => ({
  messageId,
  body: archiveRequestBody({ packageId, tenant, force: false }),
});

/** A store whose package is COMPLETED with nothing archived, or whose reads fail. */
const store = (fails = false): ArchiveStore => ({
  getArchive: async (packageId) => {
    if (fails) throw new Error('DynamoDB GetItem failed');
    return {
      packageId,
      status: 'COMPLETED',
      archiveStatus: undefined,
      archivedAt: undefined,
      documents: [],
      archiveError: undefined,
    };
  },
  restartArchive: async () => false,
  addDocument: async () => true,
  markArchived: async () => true,
  markFailed: async () => true,
});

const batchDeps = (
  options: { tenants?: ArchiveTenants; rejected?: RejectedStore; circuits?: TenantCircuits } = {},
) => {
  const deps = archiveTestDeps(fakeBucket());
  const rejected: RejectedInput[] = [];
  return {
    rejected,
    deps: {
      ...deps,
      tenants: options.tenants ?? {
        open: async () => ({
          ok: true as const,
          side: { archive: store(), documents: fakeDocuments(1, documentsOf(11)) },
        }),
      },
      rejected: options.rejected ?? {
        putRejected: async (input: RejectedInput) => void rejected.push(input),
      },
      circuits: options.circuits,
      log: silentLog,
    },
  };
};

describe('processArchiveBatch', () => {
  it('archives each message, and hands back only those that must come again', async () => {
    const { deps, rejected } = batchDeps({
      tenants: {
        open: async (tenant) =>
          tenant === 'broken'
            ? { ok: false, message: 'tenant "broken" has no secret' }
            : {
                ok: true,
                side: {
                  archive: store(tenant === 'away'),
                  documents: fakeDocuments(1, documentsOf(11)),
                },
              },
      },
    });
    const answer = await processArchiveBatch(
      [
        request('done', 1),
        request('no-settings', 2, 'broken'),
        request('table-away', 3, 'away'),
        { messageId: 'junk', body: 'not json' },
      ],
      deps,
      deps.budget(),
    );
    expect(answer).toEqual({
      batchItemFailures: [{ itemIdentifier: 'no-settings' }, { itemIdentifier: 'table-away' }],
    });
    expect(rejected).toEqual([
      {
        id: 'archive-junk',
        source: 'event',
        reason: 'the body is not JSON',
        raw: 'not json',
        receivedAt: new Date(deps.clock.ms).toISOString(),
        tenant: undefined,
      },
    ]);
    expect(deps.metrics.values('TenantUnavailable')).toEqual([1]);
  });

  it('hands back a rejected message the table would not take', async () => {
    const { deps } = batchDeps({
      rejected: {
        putRejected: async () => {
          throw new Error('DynamoDB PutItem failed');
        },
      },
    });
    const answer = await processArchiveBatch(
      [{ messageId: 'junk', body: '{}' }],
      deps,
      deps.budget(),
    );
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'junk' }]);
  });

  it('hands back at once the messages of a tenant whose circuit is open', async () => {
    const circuits = new TenantCircuits({ failuresToOpen: 2, coolDownMs: 60_000, now: Date.now });
    const unreachable = () =>
      Promise.reject(new RetryableSigningHubError('workflow', { message: 'no answer' }));
    for (const _ of [1, 2])
      await circuits.call('acme', 'workflow', 1, unreachable).catch(() => undefined);
    let opened = 0;
    const { deps } = batchDeps({
      circuits,
      tenants: {
        open: async () => {
          opened += 1;
          return { ok: false, message: 'not asked' };
        },
      },
    });
    const answer = await processArchiveBatch([request('later', 5, 'acme')], deps, deps.budget());
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'later' }]);
    expect(opened).toBe(0);
    expect(deps.metrics.values('TenantCircuitOpen')).toEqual([1]);
  });

  it('counts a circuit opened by the archive’s own failures as the reason it was handed back', async () => {
    const circuits = new TenantCircuits({ failuresToOpen: 1, coolDownMs: 60_000, now: Date.now });
    const documents = fakeDocuments(1, documentsOf(11));
    const guarded = {
      ...documents,
      getPackageDocuments: (packageId: number) =>
        circuits.call('acme', 'workflow', packageId, () =>
          Promise.reject(new RetryableSigningHubError('workflow', { message: 'no answer' })),
        ),
    };
    const { deps } = batchDeps({
      circuits,
      tenants: { open: async () => ({ ok: true, side: { archive: store(), documents: guarded } }) },
    });
    const answer = await processArchiveBatch([request('opened', 6, 'acme')], deps, deps.budget());
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: 'opened' }]);
    expect(deps.metrics.values('TenantCircuitOpen')).toEqual([1]);
  });
});
