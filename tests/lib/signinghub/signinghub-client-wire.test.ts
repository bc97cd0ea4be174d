import { describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../../harness/simulator/signinghub-simulator.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
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
