import { describe, expect, it } from 'vitest';
import { archiveRequestBody } from '../../../lib/archive/archive-request.ts';
import {
  type ArchiveTenants,
  processArchiveBatch,
} from '../../../lib/archive/process-archive-batch.ts';
import { type Log, type LogFields, silentLog } from '../../../lib/logger.ts';
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
import { busy } from '../../support/signinghub-errors.ts';

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

/** Every line logged, by level. */
const recordingLog = () => {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void =>
      void lines.push({ level, message, fields });
  const log: Log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines };
};

const batchDeps = (
  options: {
    tenants?: ArchiveTenants;
    rejected?: RejectedStore;
    circuits?: TenantCircuits;
    log?: Log;
  } = {},
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
      log: options.log ?? silentLog,
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

  it('hands back no message archived, even when its tenant’s circuit opened meanwhile', async () => {
    const circuits = new TenantCircuits({ failuresToOpen: 1, coolDownMs: 60_000, now: Date.now });
    const documents = fakeDocuments(1, documentsOf(11));
    const tripping = {
      ...documents,
      // Another package of the tenant finds no answer: its circuit opens while this one archives.
      getPackageDocuments: async (packageId: number, options: { signal?: AbortSignal }) => {
        const unreachable = new RetryableSigningHubError('workflow', { message: 'no answer' });
        await circuits
          .call('acme', 'workflow', packageId + 1, () => Promise.reject(unreachable))
          .catch(() => undefined);
        return documents.getPackageDocuments(packageId, options);
      },
    };
    const { deps } = batchDeps({
      circuits,
      tenants: {
        open: async () => ({ ok: true, side: { archive: store(), documents: tripping } }),
      },
    });
    const answer = await processArchiveBatch([request('done', 7, 'acme')], deps, deps.budget());
    expect(circuits.isOpen('acme')).toBe(true);
    expect(answer.batchItemFailures).toEqual([]);
    expect(deps.metrics.values('TenantCircuitOpen')).toEqual([]);
  });

  it('names the message, its tenant, its package and --force on the lines of its archive', async () => {
    const { log, lines } = recordingLog();
    const documents = fakeDocuments(8, documentsOf(11));
    documents.script(0, busy('workflow'), busy('workflow'), busy('workflow'), busy('workflow'));
    const { deps } = batchDeps({
      log,
      tenants: { open: async () => ({ ok: true, side: { archive: store(), documents } }) },
    });
    const body = archiveRequestBody({ packageId: 8, tenant: 'acme', force: true });
    await processArchiveBatch([{ messageId: 'm-8', body }], deps, deps.budget());
    const keys = { tenant: 'acme', packageId: 8, messageId: 'm-8', force: true };
    expect(lines.at(-1)).toEqual({
      level: 'warn',
      message: 'the workflow details failed for now; handed back to the queue',
      fields: { ...keys, error: { httpStatus: 503, message: 'busy' }, attempt: 4 },
    });
  });

  it('logs a rejected request with the message, the tenant it named and the reason', async () => {
    const { log, lines } = recordingLog();
    const { deps } = batchDeps({ log });
    const body = JSON.stringify({
      source: 'signinghub.finish',
      'detail-type': 'SigningPackageCompleted',
      detail: { packageId: 'x', tenant: 'acme' },
    });
    await processArchiveBatch([{ messageId: 'm-9', body }], deps, deps.budget());
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'archive request rejected',
        fields: {
          messageId: 'm-9',
          tenant: 'acme',
          reason: 'detail.packageId is not a package id',
        },
      },
    ]);
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
