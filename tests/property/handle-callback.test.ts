import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallbackDependencies,
  type CallbackRequest,
  handleCallback,
} from '../../lib/callback/handle-callback.ts';
import { silentLog } from '../../lib/logger.ts';
import { NO_METRICS } from '../../lib/metrics.ts';
import { RetryableSigningHubError } from '../../lib/signinghub/errors.ts';
import type { WorkflowDetails } from '../../lib/signinghub/ports.ts';
import type { PackageItem, RejectedInput } from '../../lib/store/items.ts';
import { sameLengthWrongSecret } from '../support/soak-factories.ts';
import { anyIdText, anyIdValue } from './arbitraries.ts';

const SECRET = 'property-callback-secret-0123456789';

interface Recorded {
  readonly callbacks: number[];
  readonly confirmations: number[];
  readonly rejected: RejectedInput[];
  readonly workflowCalls: number[];
}

/** Small fakes: the store and SigningHub only record what the use case asked of them. */
const fakes = (workflowStatus: string | 'unreachable' | 'deleted') => {
  const recorded: Recorded = { callbacks: [], confirmations: [], rejected: [], workflowCalls: [] };
  const item = (packageId: number): PackageItem => ({
    packageId,
    status: 'IN_PROGRESS',
    workflowStatus: undefined,
    callbacks: 1,
    lastCallbackAt: undefined,
    completedAt: undefined,
    updatedAt: '2026-11-27T10:00:00.000Z',
  });
  const deps: CallbackDependencies = {
    callbackSecret: async () => SECRET,
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics: NO_METRICS,
    packages: {
      recordCallback: async (packageId) => {
        recorded.callbacks.push(packageId);
        return item(packageId);
      },
      recordConfirmation: async (packageId, confirmation) => {
        recorded.confirmations.push(packageId);
        return {
          status: confirmation.status,
          becameFinal: confirmation.status !== 'IN_PROGRESS',
        };
      },
    },
    rejected: {
      putRejected: async (input) => {
        recorded.rejected.push(input);
      },
    },
    signingHub: {
      getWorkflow: async (packageId): Promise<WorkflowDetails | undefined> => {
        recorded.workflowCalls.push(packageId);
        if (workflowStatus === 'unreachable') {
          throw new RetryableSigningHubError('workflow', { message: 'no answer within 300 ms' });
        }
        if (workflowStatus === 'deleted') return undefined;
        return { packageId, workflowStatus };
      },
    },
  };
  return { deps, recorded };
};

const contentTypes = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/xml',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json\r\nSet-Cookie: a=b',
    ),
    fc.string({ unit: 'binary', maxLength: 30 }),
  ),
  { nil: undefined },
);

const bodies = fc.option(
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    anyIdValue.map((id) => JSON.stringify({ package_id: id, package_status: 'COMPLETED' })),
    anyIdText.map((id) => new URLSearchParams({ package_id: id }).toString()),
    anyIdText.map((id) => `<Report><DocumentID>${id}</DocumentID></Report>`),
  ),
  { nil: undefined },
);

const requests: fc.Arbitrary<CallbackRequest> = fc.record({
  method: fc.oneof(
    fc.constantFrom('GET', 'POST', 'HEAD'),
    fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'get'),
    fc.string({ maxLength: 8 }),
  ),
  secret: fc.oneof(
    fc.constant(SECRET),
    fc.constant(SECRET),
    fc.constant(sameLengthWrongSecret(SECRET)),
    fc.constant(undefined),
    fc.string({ unit: 'binary', maxLength: 40 }),
  ),
  query: fc.dictionary(
    fc.constantFrom('package_id', 'document_id', 'token', 'user_email', 'secret'),
    fc.option(anyIdText, { nil: undefined }),
    { maxKeys: 3 },
  ),
  contentType: contentTypes,
  body: bodies,
  requestId: fc.uuid(),
});

const workflowStatuses = fc.constantFrom(
  'COMPLETED',
  'DECLINED',
  'IN_PROGRESS',
  'IN_PRGORESS',
  'SHARED',
  'DRAFT',
  'SOMETHING_NEW',
  'unreachable',
  'deleted',
);

const STATUS_FOR: Readonly<Record<string, string>> = {
  COMPLETED: 'COMPLETED',
  DECLINED: 'DECLINED',
  deleted: 'DELETED',
};

describe('handleCallback: any request gets 200, 400, 401 or 405, never an exception', () => {
  it('answers every request with a known status and keeps what it must', async () => {
    await fc.assert(
      fc.asyncProperty(requests, workflowStatuses, async (request, workflowStatus) => {
        const { deps, recorded } = fakes(workflowStatus);

        const answer = await handleCallback(request, deps, silentLog);

        expect([200, 400, 401, 405]).toContain(answer.statusCode);
        expect(JSON.stringify(answer.body ?? {})).not.toContain(SECRET);
        for (const rejected of recorded.rejected) expect(rejected.raw).not.toContain(SECRET);

        if (answer.statusCode === 401) {
          expect(request.secret).not.toBe(SECRET);
          expect(recorded).toEqual({
            callbacks: [],
            confirmations: [],
            rejected: [],
            workflowCalls: [],
          });
          return;
        }
        expect(request.secret).toBe(SECRET);
        if (answer.statusCode === 400) {
          expect(recorded.rejected).toEqual([
            expect.objectContaining({ source: 'callback', id: `callback-${request.requestId}` }),
          ]);
          expect(answer.body).toEqual({ message: recorded.rejected[0]?.reason });
          expect(recorded.callbacks).toEqual([]);
          expect(recorded.workflowCalls).toEqual([]);
          return;
        }
        expect(recorded.rejected).toEqual([]);
        if (answer.statusCode === 405 || request.method === 'HEAD') {
          expect(recorded.callbacks).toEqual([]);
          return;
        }
        const [packageId] = recorded.callbacks;
        expect(recorded.callbacks).toHaveLength(1);
        expect(Number.isSafeInteger(packageId) && (packageId ?? 0) > 0).toBe(true);
        expect(recorded.workflowCalls).toEqual([packageId]);
        // The status comes from SigningHub's workflow answer, whatever the body claimed.
        expect(answer.body).toEqual({
          packageId,
          status: STATUS_FOR[workflowStatus] ?? 'IN_PROGRESS',
        });
      }),
      { numRuns: 3_000 },
    );
  });
});
