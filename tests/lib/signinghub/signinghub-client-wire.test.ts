import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../../harness/simulator/signinghub-simulator.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
} from '../../../lib/signinghub/errors.ts';
import type { SigningHubClientOptions } from '../../../lib/signinghub/signinghub-client.ts';
import { rejection } from '../../support/rejection.ts';
import { clientOf, fakeForThisFile } from '../../support/signinghub-fake.ts';

const fake = fakeForThisFile();

const client = (options: Partial<SigningHubClientOptions> = {}) => clientOf(fake.baseUrl, options);

describe('what the client puts on the wire', () => {
  it('asks for a scope only when there is a signer, with the password grant', async () => {
    const sh = client();
    await sh.finishPackage(1);
    await sh.finishPackage(2, { scope: 'alice@example.com' });
    const { clientId, clientSecret, username, password } = DEFAULT_SIMULATOR_CREDENTIALS;
    const grant = {
      grant_type: 'password',
      client_id: clientId,
      client_secret: clientSecret,
      username,
      password,
    };
    expect(fake.forms()).toEqual([grant, { ...grant, scope: 'alice@example.com' }]);
    expect(fake.received[0]?.headers.accept).toBe('application/json');
  });

  it('posts a finish as JSON and reads the workflow with a plain GET, each with the bearer token', async () => {
    fake.answerApiCalls(
      { status: 200, body: '' },
      { status: 200, body: { package_id: 7, workflow: { workflow_status: 'COMPLETED' } } },
    );
    const sh = client();
    await sh.finishPackage(7);
    await sh.getWorkflow(7);
    const [finish, workflow] = fake.apiCalls();
    expect(finish).toMatchObject({ method: 'POST', path: '/v3/packages/7/finish', body: '' });
    expect(finish?.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: 'Bearer t',
    });
    expect(workflow).toMatchObject({ method: 'GET', path: '/v3/packages/7/workflow' });
    expect(workflow?.headers['content-type']).toBeUndefined();
    expect(workflow?.headers.authorization).toBe('Bearer t');
  });
});

describe('how the client reads authentication answers', () => {
  it.each([408, 429, 500, 503])('takes a %i to authenticate as transient', async (status) => {
    fake.answerAuthentications({
      status,
      body: { error: 'busy' },
      headers: { 'retry-after': '2' },
    });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, message: expect.stringContaining('busy') });
    expect((error as RetryableSigningHubError).retryAfterMs).toBe(2_000);
  });

  it.each([400, 401, 403, 499])(
    'takes a %i to authenticate as refused credentials',
    async (status) => {
      fake.answerAuthentications({ status, body: { error_description: 'Invalid credentials' } });
      const error = await rejection(client().finishPackage(1));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).not.toBeInstanceOf(RetryableSigningHubError);
      expect(error).toMatchObject({ httpStatus: status, otpRequired: false });
    },
  );

  it.each([
    ['no access_token', { expires_in: 600 }],
    ['an empty access_token', { access_token: '', expires_in: 600 }],
    ['a token that has expired already', { access_token: 't', expires_in: 0 }],
    ['no lifetime', { access_token: 't' }],
    ['a lifetime that is not a number', { access_token: 't', expires_in: 'soon' }],
  ])('refuses an answer with %s', async (_, body) => {
    fake.answerAuthentications({ status: 200, body });
    const error = await rejection(client().finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toContain('the answer had no access_token or expires_in');
    expect(fake.apiCalls()).toEqual([]);
  });

  it('renews a short-lived token a tenth of its lifetime before it ends', async () => {
    let now = 1_000_000;
    fake.answerAuthentications({ status: 200, body: { access_token: 't', expires_in: 100 } });
    const sh = client({ now: () => now });
    await sh.finishPackage(1);
    now += 89_000;
    await sh.finishPackage(2);
    expect(fake.forms()).toHaveLength(1);
    now += 2_000;
    await sh.finishPackage(3);
    expect(fake.forms()).toHaveLength(2);
  });
});

describe('how the client reads a finish refused', () => {
  it.each([400, 403, 404, 410, 422])(
    'takes a %i as final, with SigningHub’s message',
    async (status) => {
      fake.answerApiCalls({ status, body: { Message: 'Account is disabled' } });
      const error = await rejection(client().finishPackage(1));
      expect(error).toBeInstanceOf(FinalSigningHubError);
      expect(error).toMatchObject({
        httpStatus: status,
        signingHubMessage: 'Account is disabled',
        message: expect.stringContaining('Account is disabled'),
      });
    },
  );

  it.each([405, 408, 409, 418, 429, 502, 503])(
    'takes a %i as not the package’s fault: transient, after the Retry-After it names',
    async (status) => {
      fake.answerApiCalls({ status, body: { Message: 'odd' }, headers: { 'retry-after': '7' } });
      const error = await rejection(client().finishPackage(1));
      expect(error).toBeInstanceOf(RetryableSigningHubError);
      expect(error).toMatchObject({ httpStatus: status, retryAfterMs: 7_000 });
    },
  );
});

describe('how the client reads workflow details', () => {
  it('asks as the account itself, and says what the answer lacked', async () => {
    fake.answerApiCalls({ status: 200, body: { package_id: 7, workflow: {} } });
    let sent = 0;
    const error = await rejection(
      client().getWorkflow(7, {
        onRequestSent: () => {
          sent += 1;
        },
      }),
    );
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({
      httpStatus: 200,
      signingHubMessage: 'the answer had no workflow.workflow_status',
    });
    expect(sent).toBe(1);
    expect(fake.forms().map(({ scope }) => scope)).toEqual([undefined]);
    expect(fake.scopeCalls()).toEqual([]);
  });

  it.each([400, 403, 410])(
    'takes a %i as final: only a 404 is a deleted package',
    async (status) => {
      fake.answerApiCalls({ status, body: { Message: 'refused' } });
      const error = await rejection(client().getWorkflow(7));
      expect(error).toBeInstanceOf(FinalSigningHubError);
      expect(error).toMatchObject({ httpStatus: status, signingHubMessage: 'refused' });
    },
  );

  it('sends no workflow request once the caller’s signal has fired', async () => {
    const sh = client();
    await sh.finishPackage(1);
    const fired = AbortSignal.abort();
    expect(await rejection(sh.getWorkflow(7, { signal: fired }))).toBeInstanceOf(
      SigningHubAbortedError,
    );
    expect(await rejection(sh.getPackageDocuments(7, { signal: fired }))).toBeInstanceOf(
      SigningHubAbortedError,
    );
    expect(fake.apiCalls().map(({ path }) => path)).toEqual(['/v3/packages/1/finish']);
  });
});

describe('how the client stops a request', () => {
  it('says why it sent nothing once the time to start one is over', async () => {
    const error = await rejection(client({ now: () => 1_000 }).finishPackage(1, { startBy: 999 }));
    expect(error).toBeInstanceOf(SigningHubAbortedError);
    expect(error.message).toBe(
      'SigningHub finish failed: not sent: no time left in the invocation for an answer',
    );
    expect(fake.apiCalls()).toEqual([]);
  });

  it('cancels a request under way when the caller’s signal fires, long before its timeout', async () => {
    // The answer and the timeout both come after the test's own limit: only the signal ends it.
    fake.answerApiCalls({ status: 200, body: '', headersAfterMs: 120_000 });
    const caller = new AbortController();
    const sh = client({ timeoutMs: 120_000 });
    const finish = sh.finishPackage(1, {
      signal: caller.signal,
      onRequestSent: () => setImmediate(() => caller.abort()),
    });
    expect(await rejection(finish)).toBeInstanceOf(SigningHubAbortedError);
  });
});

describe('how the client stops an authentication', () => {
  it('cancels one under way when the caller’s signal fires, long before its timeout', async () => {
    // The token and the timeout both come after the test's own limit: only the signal ends it.
    fake.answerAuthentications({
      status: 200,
      body: { access_token: 't', expires_in: 600 },
      headersAfterMs: 120_000,
    });
    const caller = new AbortController();
    const finish = client({ timeoutMs: 120_000 }).finishPackage(1, { signal: caller.signal });
    await vi.waitFor(() => expect(fake.forms()).toHaveLength(1), { timeout: 10_000 });
    caller.abort();
    expect(await rejection(finish)).toBeInstanceOf(SigningHubAbortedError);
    expect(fake.apiCalls()).toEqual([]);
  });
});

describe('how the client retries with a fresh token', () => {
  it('reads a refused token’s answer whole, so its connection serves the retry', async () => {
    const sh = client();
    await sh.finishPackage(1);
    const { opened } = fake.connections();
    fake.answerApiCalls({ status: 401, body: 'x'.repeat(4_000_000) });
    await sh.finishPackage(2);
    expect(fake.apiCalls()).toHaveLength(3);
    expect(fake.connections().opened).toBe(opened);
  });
});
