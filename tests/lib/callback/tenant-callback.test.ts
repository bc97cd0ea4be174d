import { describe, expect, it } from 'vitest';
import {
  type CallbackDependencies,
  type CallbackRequest,
  type CallbackTenant,
  handleCallback,
} from '../../../lib/callback/handle-callback.ts';
import { redactedCallbackPath } from '../../../lib/callback/redact.ts';
import { silentLog } from '../../../lib/logger.ts';
import type { PackageItem, PackageStatus, RejectedInput } from '../../../lib/store/items.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { recordLog } from '../aws/secrets-fixture.ts';

const DEFAULT_SECRET = 'default-callback-secret-0123456789';
const ACME_SECRET = 'acme-callback-secret-0123456789';
const ACME_OLD_SECRET = 'acme-previous-secret-0123456789';

/** Every read and call each side was asked for, by tenant. */
const setup = (options: { tenants?: boolean; stored?: PackageStatus } = {}) => {
  const calls: string[] = [];
  const rejected: RejectedInput[] = [];
  const metrics = recordMetrics();
  const item = (packageId: number): PackageItem => ({
    packageId,
    status: options.stored ?? 'IN_PROGRESS',
    workflowStatus: undefined,
    callbacks: 1,
    lastCallbackAt: undefined,
    completedAt: undefined,
    updatedAt: '2026-11-27T10:00:00.000Z',
  });
  const side = (tenant: string, secrets: readonly string[]): CallbackTenant => ({
    callbackSecret: async () => secrets,
    now: () => new Date('2026-11-27T10:00:00Z'),
    metrics,
    packages: {
      recordCallback: async (packageId) => {
        calls.push(`${tenant} callback ${packageId}`);
        return item(packageId);
      },
      recordConfirmation: async (packageId, confirmation) => {
        calls.push(`${tenant} confirmation ${packageId} ${confirmation.status}`);
        return { status: confirmation.status, becameFinal: true };
      },
    },
    signingHub: {
      getWorkflow: async (packageId) => {
        calls.push(`${tenant} workflow ${packageId}`);
        return { packageId, workflowStatus: 'COMPLETED' };
      },
    },
  });
  const deps: CallbackDependencies = {
    ...side('default', [DEFAULT_SECRET]),
    rejected: { putRejected: async (input) => void rejected.push(input) },
    tenants:
      options.tenants === false
        ? undefined
        : {
            open: async (tenant) => {
              calls.push(`lookup ${tenant}`);
              if (tenant === 'acme') return side('acme', [ACME_SECRET, ACME_OLD_SECRET]);
              if (tenant === 'nosecret') return side('nosecret', []);
              return undefined;
            },
          },
  };
  return { deps, calls, rejected, metrics };
};

const request = (overrides: Partial<CallbackRequest>): CallbackRequest => ({
  method: 'GET',
  secret: ACME_SECRET,
  tenant: 'acme',
  query: { package_id: '42' },
  contentType: undefined,
  body: undefined,
  requestId: 'r-1',
  ...overrides,
});

describe('a callback on the tenant route', () => {
  it('confirms the package with that tenant’s SigningHub and table side, and names the tenant', async () => {
    const { deps, calls } = setup();
    const answer = await handleCallback(request({}), deps, silentLog);
    expect(answer).toEqual({
      statusCode: 200,
      body: { packageId: 42, status: 'COMPLETED', tenant: 'acme' },
    });
    expect(calls).toEqual([
      'lookup acme',
      'acme callback 42',
      'acme workflow 42',
      'acme confirmation 42 COMPLETED',
    ]);
  });

  it('accepts the previous callback secret of the tenant during a rotation', async () => {
    const { deps } = setup();
    const answer = await handleCallback(request({ secret: ACME_OLD_SECRET }), deps, silentLog);
    expect(answer.statusCode).toBe(200);
  });

  it('serves the default tenant on its tenant route with the default secret, without a tenant in the answer', async () => {
    const { deps, calls } = setup();
    const answer = await handleCallback(
      request({ tenant: 'default', secret: DEFAULT_SECRET }),
      deps,
      silentLog,
    );
    expect(answer).toEqual({ statusCode: 200, body: { packageId: 42, status: 'COMPLETED' } });
    expect(calls[0]).toBe('default callback 42');
  });

  const unauthorized = { statusCode: 401, body: { message: 'Unauthorized' } };

  it.each([
    ['a wrong secret', { secret: 'wrong-secret-0123456789abcdef' }],
    ['another tenant’s secret', { secret: DEFAULT_SECRET }],
    ['an unknown tenant', { tenant: 'nobody' }],
    ['a tenant with no callback secret', { tenant: 'nosecret', secret: '' }],
    ['a missing secret', { secret: undefined }],
  ])(
    'answers %s exactly like a wrong secret, with nothing stored and nothing called',
    async (_what, overrides) => {
      const { deps, calls, rejected, metrics } = setup();
      expect(await handleCallback(request(overrides), deps, silentLog)).toEqual(unauthorized);
      expect(calls.filter((call) => !call.startsWith('lookup'))).toEqual([]);
      expect(rejected).toEqual([]);
      expect(metrics.values('CallbackUnauthorised')).toEqual([1]);
    },
  );

  it.each(['ACME', '-acme', 'x'.repeat(41), '', '..', 'acme%2F..'])(
    'refuses the malformed tenant %j before any lookup',
    async (tenant) => {
      const { deps, calls } = setup();
      expect(await handleCallback(request({ tenant }), deps, silentLog)).toEqual(unauthorized);
      expect(calls).toEqual([]);
    },
  );

  it('refuses every tenant but default when no tenants are configured', async () => {
    const { deps, calls } = setup({ tenants: false });
    expect(await handleCallback(request({}), deps, silentLog)).toEqual(unauthorized);
    expect(calls).toEqual([]);
  });

  it('keeps a tenant’s bad callback as a rejected item of that tenant', async () => {
    const { deps, rejected } = setup();
    const answer = await handleCallback(request({ query: {} }), deps, silentLog);
    expect(answer.statusCode).toBe(400);
    expect(rejected).toMatchObject([{ source: 'callback', tenant: 'acme' }]);
  });
});

describe('a callback’s answers, rejected items and log lines', () => {
  it.each(['PUT', 'DELETE', 'get'])(
    'refuses the method %s with a 405 naming it, storing nothing',
    async (method) => {
      const { deps, calls, rejected } = setup();
      const answer = await handleCallback(request({ method }), deps, silentLog);
      expect(answer).toEqual({ statusCode: 405, body: { message: `${method} is not allowed` } });
      expect(calls).toEqual(['lookup acme']);
      expect(rejected).toEqual([]);
    },
  );

  it('keeps the method, the query with its sensitive values redacted and the body as received', async () => {
    const { deps, rejected } = setup();
    const query = { token: 'tok-0123', api_key: 'k-0123', document_id: 'x', user: 'u@example.com' };
    await handleCallback(request({ query }), deps, silentLog);
    await handleCallback(request({ method: 'POST', query: {}, body: '{"a":1}' }), deps, silentLog);
    expect(rejected.map((item) => item.raw)).toEqual([
      'GET ?token=%3Credacted%3E&api_key=%3Credacted%3E&document_id=x&user=u%40example.com\n\n',
      'POST ?\n\n{"a":1}',
    ]);
  });

  it('logs a rejected callback with its reason, and with the tenant only off the default tenant', async () => {
    const { deps, rejected } = setup();
    const acmeLog = recordLog();
    const defaultLog = recordLog();
    await handleCallback(request({ query: {} }), deps, acmeLog);
    await handleCallback(
      request({ query: {}, tenant: undefined, secret: DEFAULT_SECRET }),
      deps,
      defaultLog,
    );
    const reason = rejected[0]?.reason;
    expect(reason).toEqual(expect.any(String));
    expect(acmeLog.lines).toEqual([
      { level: 'warn', message: 'callback rejected', fields: { tenant: 'acme', reason } },
    ]);
    expect(defaultLog.lines).toEqual([
      { level: 'warn', message: 'callback rejected', fields: { reason } },
    ]);
  });

  it('answers a callback for a package already final from the table, logging it by tenant and package', async () => {
    const { deps, calls } = setup({ stored: 'DECLINED' });
    const log = recordLog();
    const answer = await handleCallback(request({}), deps, log);
    expect(answer).toEqual({
      statusCode: 200,
      body: { packageId: 42, status: 'DECLINED', tenant: 'acme' },
    });
    expect(calls).toEqual(['lookup acme', 'acme callback 42']);
    expect(log.lines).toEqual([
      {
        level: 'info',
        message: 'callback for a package already final; nothing to confirm',
        fields: { tenant: 'acme', packageId: 42, status: 'DECLINED' },
      },
    ]);
  });

  it('logs a refused callback as a warning that names neither the tenant nor the secret', async () => {
    const { deps } = setup();
    const log = recordLog();
    await handleCallback(request({ secret: 'wrong-secret-0123456789abcdef' }), deps, log);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: 'callback with a wrong or missing secret, or an unknown tenant, refused',
        fields: undefined,
      },
    ]);
  });
});

describe('redactedCallbackPath', () => {
  it.each([
    ['/signinghub/callback/s3cr3t-value-0123456789', '/signinghub/callback/<redacted>'],
    [
      '/signinghub/tenants/acme/callback/s3cr3t-value-0123456789',
      '/signinghub/tenants/acme/callback/<redacted>',
    ],
    [
      '/signinghub/tenants/ACME/callback/s3cr3t-value-0123456789',
      '/signinghub/tenants/<malformed>/callback/<redacted>',
    ],
    ['/signinghub/tenants/acme/callback/s3cr3t/extra', '<unexpected path, not logged>'],
    ['/signinghub/callbacks/s3cr3t-value-0123456789', '<unexpected path, not logged>'],
    ['/signinghub/callback/s3cr3t/extra', '<unexpected path, not logged>'],
    ['/x/signinghub/callback/s3cr3t-value-0123456789', '<unexpected path, not logged>'],
    [
      '/x/signinghub/tenants/acme/callback/s3cr3t-value-0123456789',
      '<unexpected path, not logged>',
    ],
    ['/s3cr3t-value-0123456789', '<unexpected path, not logged>'],
  ])('logs %s as %s', (path, logged) => {
    expect(redactedCallbackPath(path)).toBe(logged);
    expect(redactedCallbackPath(path)).not.toContain('s3cr3t');
  });
});
