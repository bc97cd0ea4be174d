import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../../harness/simulator/types.ts';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  UnauthorizedSigningHubError,
} from '../../../lib/signinghub/errors.ts';
import type { SigningHubClientOptions } from '../../../lib/signinghub/signinghub-client.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { rejection } from '../../support/rejection.ts';
import {
  accessTo,
  clientOf,
  PASSWORD_GRANT,
  startSigningHubFake,
} from '../../support/signinghub-fake.ts';

let simulator: SigningHubSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ tokenTtlSeconds: 600 });
});
afterAll(() => simulator.close());
beforeEach(() => simulator.reset());

const client = (
  options: Partial<SigningHubClientOptions> = {},
  access: Partial<SigningHubAccess> = {},
) => clientOf(simulator.url, options, access);

describe('SigningHubClient tokens', () => {
  it('authenticates once per scope, also for concurrent calls', async () => {
    const sh = client();
    await Promise.all([1, 2, 3, 4].map((id) => sh.finishPackage(id, { scope: 'a@x.com' })));
    await sh.finishPackage(5, { scope: 'b@x.com' });
    await sh.finishPackage(6);
    const scopes = simulator.calls
      .filter((c) => c.operation === 'authenticate')
      .map((c) => c.scope ?? '');
    expect(scopes.sort()).toEqual(['', 'a@x.com', 'b@x.com']);
  });

  it('authenticates again shortly before the token expires', async () => {
    let now = 1_000_000;
    const sh = client({ now: () => now });
    await sh.finishPackage(1);
    now += 500_000; // 600 s token, refreshed once fewer than 60 s remain
    await sh.finishPackage(2);
    expect(simulator.count('authenticate')).toBe(1);
    now += 50_000;
    await sh.finishPackage(3);
    expect(simulator.count('authenticate')).toBe(2);
  });

  it('reports an OTP account as an authentication error that says why', async () => {
    simulator.setOtpRequired(true);
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ otpRequired: true, httpStatus: 403, retryable: true });
    expect(String((error as Error).message)).toContain(
      ' (the account needs a one-time password and cannot be used by a machine)',
    );
    simulator.setOtpRequired(false);
  });

  it('never puts the password or client secret in an authentication error', async () => {
    const error = await rejection(
      client({}, { grant: { ...PASSWORD_GRANT, password: 'wrong-password-value' } }).finishPackage(
        1,
      ),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).not.toContain('wrong-password-value');
    expect(text).not.toContain(DEFAULT_SIMULATOR_CREDENTIALS.clientSecret);
  });

  it('reads the access at each call, from the reader’s cache while SigningHub accepts it', async () => {
    const reads: unknown[] = [];
    const sh = client({
      access: async (options) => {
        reads.push(options);
        return accessTo(simulator.url);
      },
    });
    await sh.finishPackage(1, { scope: 'a@x.com' });
    await sh.finishPackage(2, { scope: 'a@x.com' });
    await sh.finishPackage(3, { scope: 'b@x.com' });
    expect(reads).toEqual([undefined, undefined, undefined]);
    expect(simulator.count('authenticate')).toBe(2);
  });
});

describe('SigningHubClient credentials SigningHub refuses', () => {
  const ROTATED = { ...DEFAULT_SIMULATOR_CREDENTIALS, password: 'rotated-password' };
  const OLD = { ...DEFAULT_SIMULATOR_CREDENTIALS, password: 'old-password' };

  /** A reader that gives `cached` (the old password) from its cache and `fresh` when forced. */
  const reader = (fresh: () => Promise<typeof ROTATED>, cached = OLD) => {
    const reads: string[] = [];
    const withGrant = (credentials: typeof ROTATED) =>
      accessTo(simulator.url, { grant: { type: 'password', ...credentials } });
    const access = async (options?: { readonly forceFetch?: boolean }) => {
      reads.push(options?.forceFetch === true ? 'forced' : 'cached');
      return withGrant(options?.forceFetch === true ? await fresh() : cached);
    };
    return { reads, access };
  };

  const authentications = () =>
    simulator.calls.filter((c) => c.operation === 'authenticate').map((c) => c.status);

  it.each(['clientId', 'clientSecret', 'username', 'password'] as const)(
    'reads them past the cache once and authenticates with a new %s',
    async (field) => {
      const { reads, access } = reader(async () => DEFAULT_SIMULATOR_CREDENTIALS, {
        ...DEFAULT_SIMULATOR_CREDENTIALS,
        [field]: 'before-the-rotation',
      });
      await client({ access }).finishPackage(1, { scope: 'a@x.com' });
      expect(reads).toEqual(['cached', 'forced']);
      expect(authentications()).toEqual([400, 200]);
      expect(simulator.count('finish')).toBe(1);
    },
  );

  it('answers with the refusal when the fresh read gives the same credentials', async () => {
    const { reads, access } = reader(async () => OLD);
    const error = await rejection(client({ access }).finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 400 });
    expect(reads).toEqual(['cached', 'forced']);
    expect(authentications()).toEqual([400]);
  });

  it('answers with the refusal, not the read, when the fresh read fails', async () => {
    const { access } = reader(() => Promise.reject(new Error('secret unreadable')));
    const error = await rejection(client({ access }).finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(authentications()).toEqual([400]);
  });

  it('reads nothing more when SigningHub wants a one-time password', async () => {
    simulator.setOtpRequired(true);
    const { reads, access } = reader(async () => ROTATED, DEFAULT_SIMULATOR_CREDENTIALS);
    const error = await rejection(client({ access }).finishPackage(1));
    simulator.setOtpRequired(false);
    expect(error).toMatchObject({ otpRequired: true });
    expect(reads).toEqual(['cached']);
  });

  it('reads nothing more when the token request failed for another reason', async () => {
    simulator.scriptAuthenticate({ status: 503, body: {} });
    const { reads, access } = reader(async () => DEFAULT_SIMULATOR_CREDENTIALS);
    const error = await rejection(client({ access }).finishPackage(1));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(reads).toEqual(['cached']);
  });
});

describe('SigningHubClient calls', () => {
  it('uses the configured API version in the path', async () => {
    await client({}, { apiVersion: 'v4' }).finishPackage(77);
    expect(simulator.calls.find((c) => c.operation === 'finish')?.path).toBe(
      '/v4/packages/77/finish',
    );
  });

  it('treats a timeout as retryable', async () => {
    simulator.script(1, 'finish', { hang: true });
    const error = await rejection(client({ timeoutMs: 300 }).finishPackage(1));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect((error as Error).message).toContain('no answer within 300 ms');
  });

  it('stops when the caller signal fires', async () => {
    simulator.script(1, 'finish', { hang: true });
    const error = await rejection(
      client({ timeoutMs: 5_000 }).finishPackage(1, { signal: AbortSignal.timeout(100) }),
    );
    expect(error).toBeInstanceOf(SigningHubAbortedError);
  });

  it('takes a 200 as done when the body is cut off after the status line', async () => {
    simulator.script(1, 'finish', { status: 200, cutBody: true });
    await expect(client().finishPackage(1)).resolves.toBeUndefined();
    expect(simulator.count('finish', 1)).toBe(1);
  });

  it('takes a 200 as done when its body comes long after the timeout: one request', async () => {
    // A SigningHub whose finish sends the status line at once and the body 1 s later.
    const slow = await startSigningHubFake();
    slow.answerApiCalls({ status: 200, body: {}, lastByteAfterMs: 1_000 });
    try {
      const sh = client({ timeoutMs: 200 }, { baseUrl: slow.baseUrl });
      await expect(sh.finishPackage(1, { scope: 'a@x.com' })).resolves.toBeUndefined();
      expect(slow.apiCalls()).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('sends finishes in a row over one connection, and gives up one whose body is slow', async () => {
    const fake = await startSigningHubFake();
    try {
      const sh = client({}, { baseUrl: fake.baseUrl });
      await sh.finishPackage(1, { scope: 'a@x.com' });
      // The token's request and the first finish may open one each; the next finishes reuse one.
      const { opened } = fake.connections();
      for (let i = 2; i <= 20; i += 1) await sh.finishPackage(i, { scope: 'a@x.com' });
      expect(fake.apiCalls()).toHaveLength(20);
      expect(fake.connections().opened).toBe(opened);

      fake.answerApiCalls({ status: 200, body: { message: 'done' }, lastByteAfterMs: 60_000 });
      await sh.finishPackage(21, { scope: 'a@x.com' });
      // Its body would come in a minute: its connection is closed now instead of held for it.
      const slow = fake.apiCalls()[20]?.connection ?? 0;
      expect(slow).toBeGreaterThan(0);
      await vi.waitFor(() => expect(fake.connections().open.has(slow)).toBe(false), {
        timeout: 10_000,
      });
      await sh.finishPackage(22, { scope: 'a@x.com' });
      expect(fake.apiCalls()[21]?.connection).not.toBe(slow);
    } finally {
      await fake.close();
    }
  });

  it('reports a workflow answer cut off mid-body as retryable, not as a crash', async () => {
    simulator.script(1, 'workflow', { status: 200, cutBody: true });
    expect(await rejection(client().getWorkflow(1))).toBeInstanceOf(RetryableSigningHubError);
  });

  it('reports an error answer cut off mid-body by its status', async () => {
    simulator.script(1, 'finish', { status: 403, cutBody: true });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(FinalSigningHubError);
    expect(error).toMatchObject({ httpStatus: 403, signingHubMessage: 'HTTP 403 with no message' });
  });

  it('gets one new token after a 401 and hands back when that one is refused too', async () => {
    const unauthorized = { status: 401, body: { Message: 'Request authorization denied' } };
    simulator.script(1, 'finish', unauthorized, unauthorized, unauthorized);
    const sh = client();
    const error = await rejection(sh.finishPackage(1, { scope: 'a@x.com' }));
    expect(error).toBeInstanceOf(UnauthorizedSigningHubError);
    expect(error).toMatchObject({ httpStatus: 401, retry: 'later' });
    expect(simulator.count('finish', 1)).toBe(2);
    expect(simulator.count('authenticate')).toBe(2);
  });

  it('sends nothing once the time to start a request is over, whatever the signal says', async () => {
    let now = 1_000_000;
    const sh = client({ now: () => now });
    const error = await rejection(sh.finishPackage(1, { startBy: now - 1 }));
    expect(error).toBeInstanceOf(SigningHubAbortedError);
    expect(simulator.count('finish')).toBe(0);
    now += 1;
    await sh.finishPackage(1, { startBy: now });
    expect(simulator.count('finish')).toBe(1);
  });

  it('does not retry a 401 after the time to start a request is over', async () => {
    let now = 1_000_000;
    const sh = client({ now: () => now });
    simulator.script(1, 'finish', { status: 401, body: { Message: 'denied' } });
    const sent = sh.finishPackage(1, {
      startBy: now + 1,
      onRequestSent: () => {
        now += 2;
      },
    });
    expect(await rejection(sent)).toBeInstanceOf(SigningHubAbortedError);
    expect(simulator.count('finish', 1)).toBe(1);
  });

  it('answers undefined for a deleted package and reads workflow details otherwise', async () => {
    simulator.createPackage(10, ['a@x.com', 'b@x.com']);
    simulator.createPackage(11, ['a@x.com']);
    simulator.deletePackage(11);
    const sh = client();
    expect(await sh.getWorkflow(10)).toEqual({ packageId: 10, workflowStatus: 'IN_PROGRESS' });
    expect(await sh.getWorkflow(11)).toBeUndefined();
  });
});

describe('SigningHubClient metrics', () => {
  it('counts each finish request sent by the class of its answer, and each authentication', async () => {
    const metrics = recordMetrics();
    const sh = client({ metrics, timeoutMs: 1_000 });
    simulator.script(1, 'finish', { status: 401, body: { Message: 'denied' } });
    simulator.script(2, 'finish', { status: 503 });
    simulator.script(3, 'finish', { status: 302, headers: { location: 'http://127.0.0.1:9/' } });
    simulator.script(4, 'finish', { drop: true });
    await sh.finishPackage(1, { scope: 'a@x.com' });
    await rejection(sh.finishPackage(2, { scope: 'a@x.com' }));
    await rejection(sh.finishPackage(3, { scope: 'a@x.com' }));
    await rejection(sh.finishPackage(4, { scope: 'a@x.com' }));

    expect(metrics.points.map(({ name }) => name)).toEqual([
      'SigningHubAuthentications',
      'FinishResponse4xx',
      'SigningHubAuthentications',
      'FinishResponse2xx',
      'FinishResponse5xx',
      'FinishResponseNone',
      'FinishResponseNone',
    ]);
    expect(metrics.total('SigningHubAuthentications')).toBe(simulator.count('authenticate'));
  });

  it('counts no answer class for a request never sent, nor for workflow requests', async () => {
    const metrics = recordMetrics();
    const sh = client({ metrics, now: () => 1_000_000 });
    await rejection(sh.finishPackage(1, { startBy: 999_999 }));
    simulator.createPackage(10, ['a@x.com']);
    await sh.getWorkflow(10);
    expect(metrics.points.map(({ name }) => name)).toEqual(['SigningHubAuthentications']);
  });
});
