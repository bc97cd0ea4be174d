import { describe, expect, it } from 'vitest';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import {
  AuthenticationError,
  RetryableSigningHubError,
  UnauthorizedSigningHubError,
} from '../../../lib/signinghub/errors.ts';
import type { SigningHubClientOptions } from '../../../lib/signinghub/signinghub-client.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { rejection } from '../../support/rejection.ts';
import {
  accessTo,
  CLIENT_CREDENTIALS_GRANT,
  clientOf,
  fakeForThisFile,
  PASSWORD_GRANT,
  SCOPE_PATH,
} from '../../support/signinghub-fake.ts';

const fake = fakeForThisFile();

/** A client of the fake with the client-credentials grant, or `access` amended. */
const client = (
  options: Partial<SigningHubClientOptions> = {},
  access: Partial<SigningHubAccess> = {},
) => clientOf(fake.baseUrl, options, { grant: CLIENT_CREDENTIALS_GRANT, ...access });

const token = (accessToken: string, expiresIn = 600) => ({
  status: 200,
  body: { access_token: accessToken, expires_in: expiresIn },
});
const unauthorized = { status: 401, body: { Message: 'Request authorization denied' } };
const bearers = () => fake.apiCalls().map(({ headers }) => headers.authorization);

describe('the client-credentials grant on the wire', () => {
  const { clientId, clientSecret } = CLIENT_CREDENTIALS_GRANT;
  const ACCOUNT_FORM = {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
  };

  it('gets the account’s token with the client id and secret alone, and finishes with it', async () => {
    await client().finishPackage(1);
    expect(fake.forms()).toEqual([ACCOUNT_FORM]);
    expect(fake.scopeCalls()).toEqual([]);
    expect(bearers()).toEqual(['Bearer t']);
  });

  it.each(['v3', 'v4'] as const)(
    'gets a signer’s token from /v4/authenticate/scope as the account, with resources on %s',
    async (apiVersion) => {
      await client({}, { apiVersion }).finishPackage(7, { scope: 'alice@example.com' });
      expect(fake.forms()).toEqual([ACCOUNT_FORM]);
      const [scoped] = fake.scopeCalls();
      expect(scoped).toMatchObject({ method: 'POST', path: SCOPE_PATH });
      expect(scoped?.headers).toMatchObject({
        authorization: 'Bearer t',
        'content-type': 'application/json',
        accept: 'application/json',
      });
      expect(JSON.parse(scoped?.body ?? '')).toEqual({ user_email: 'alice@example.com' });
      expect(fake.apiCalls()).toMatchObject([{ path: `/${apiVersion}/packages/7/finish` }]);
      expect(bearers()).toEqual(['Bearer s']);
    },
  );

  it('reads workflow details with the account’s own token, and asks no scope for them', async () => {
    fake.answerApiCalls({ status: 200, body: { workflow: { workflow_status: 'COMPLETED' } } });
    await client().getWorkflow(7);
    expect(fake.scopeCalls()).toEqual([]);
    expect(bearers()).toEqual(['Bearer t']);
  });

  it('keeps the account’s token and each signer’s, and counts each request as an authentication', async () => {
    const metrics = recordMetrics();
    const sh = client({ metrics });
    await sh.finishPackage(1, { scope: 'a@x.com' });
    await sh.finishPackage(2, { scope: 'a@x.com' });
    await sh.finishPackage(3, { scope: 'b@x.com' });
    await sh.finishPackage(4);
    expect(fake.forms()).toHaveLength(1);
    expect(fake.scopeCalls().map(({ body }) => JSON.parse(body).user_email)).toEqual([
      'a@x.com',
      'b@x.com',
    ]);
    expect(metrics.total('SigningHubAuthentications')).toBe(3);
  });

  it('asks for a signer’s token again shortly before it expires, with the account’s it holds', async () => {
    let now = 1_000_000;
    fake.answerScopeCalls(token('s1', 100));
    const sh = client({ now: () => now });
    await sh.finishPackage(1, { scope: 'a@x.com' });
    now += 89_000;
    await sh.finishPackage(2, { scope: 'a@x.com' });
    expect(fake.scopeCalls()).toHaveLength(1);
    now += 2_000;
    await sh.finishPackage(3, { scope: 'a@x.com' });
    expect(fake.scopeCalls()).toHaveLength(2);
    expect(fake.forms()).toHaveLength(1);
    expect(bearers()).toEqual(['Bearer s1', 'Bearer s1', 'Bearer s']);
  });
});

describe('401s with client credentials', () => {
  it('gets a new signer’s token after a 401 on the finish, with the account’s it holds', async () => {
    fake.answerScopeCalls(token('s1'), token('s2'));
    fake.answerApiCalls(unauthorized);
    await client().finishPackage(1, { scope: 'a@x.com' });
    expect(fake.forms()).toHaveLength(1);
    expect(fake.scopeCalls()).toHaveLength(2);
    expect(bearers()).toEqual(['Bearer s1', 'Bearer s2']);
  });

  it('sends at most two finishes for 401s, and hands back', async () => {
    fake.answerApiCalls(unauthorized, unauthorized, unauthorized);
    const error = await rejection(client().finishPackage(1, { scope: 'a@x.com' }));
    expect(error).toBeInstanceOf(UnauthorizedSigningHubError);
    expect(error).toMatchObject({ httpStatus: 401, retry: 'later' });
    expect(fake.apiCalls()).toHaveLength(2);
  });

  it('gets a new account token when the scope call answers 401, then calls it again', async () => {
    fake.answerAuthentications(token('t1'), token('t2'));
    fake.answerScopeCalls(unauthorized);
    await client().finishPackage(1, { scope: 'a@x.com' });
    expect(fake.forms()).toHaveLength(2);
    expect(fake.scopeCalls().map(({ headers }) => headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t2',
    ]);
    expect(bearers()).toEqual(['Bearer s']);
  });

  it('reports a scope call refused twice with 401 as refused authentication, finishing nothing', async () => {
    fake.answerScopeCalls(unauthorized, unauthorized, unauthorized);
    const error = await rejection(client().finishPackage(1, { scope: 'a@x.com' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 401, retry: 'later' });
    expect(fake.forms()).toHaveLength(2);
    expect(fake.scopeCalls()).toHaveLength(2);
    expect(fake.apiCalls()).toEqual([]);
  });
});

describe('a scope call refused or failing', () => {
  it.each([400, 403, 404])(
    'reports a %i as refused authentication, without reading the access past its cache',
    async (status) => {
      fake.answerScopeCalls({ status, body: { Message: 'user not in the enterprise' } });
      const reads: unknown[] = [];
      const access = async (options?: unknown) => {
        reads.push(options);
        return accessTo(fake.baseUrl, { grant: CLIENT_CREDENTIALS_GRANT });
      };
      const error = await rejection(client({ access }).finishPackage(1, { scope: 'a@x.com' }));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({
        httpStatus: status,
        retry: 'later',
        message: expect.stringContaining(
          'user not in the enterprise (a signer’s token refused: the account may not act for this user)',
        ),
      });
      expect(reads).toEqual([undefined]);
      expect(fake.apiCalls()).toEqual([]);
    },
  );

  it.each([408, 429, 500, 503])('takes a %i as transient', async (status) => {
    fake.answerScopeCalls({ status, body: { error: 'busy' }, headers: { 'retry-after': '3' } });
    const error = await rejection(client().finishPackage(1, { scope: 'a@x.com' }));
    expect(error).toBeInstanceOf(RetryableSigningHubError);
    expect(error).toMatchObject({ httpStatus: status, retryAfterMs: 3_000 });
  });
});

describe('credentials refused with client credentials', () => {
  /** A reader whose cache gives `cached` and a forced read `fresh`. */
  const reader = (cached: Partial<SigningHubAccess>, fresh: Partial<SigningHubAccess>) => {
    const reads: string[] = [];
    const access = async (options?: { readonly forceFetch?: boolean }) => {
      const forced = options?.forceFetch === true;
      reads.push(forced ? 'forced' : 'cached');
      return accessTo(fake.baseUrl, forced ? fresh : cached);
    };
    return { reads, access };
  };

  it('reads past the cache once and authenticates with a rotated client secret', async () => {
    fake.answerAuthentications({ status: 400, body: { error: 'invalid_client' } });
    const stale = { ...CLIENT_CREDENTIALS_GRANT, clientSecret: 'before-the-rotation' };
    const { reads, access } = reader({ grant: stale }, { grant: CLIENT_CREDENTIALS_GRANT });
    await client({ access }).finishPackage(1, { scope: 'a@x.com' });
    expect(reads).toEqual(['cached', 'forced']);
    expect(fake.forms().map((form) => form.client_secret)).toEqual([
      'before-the-rotation',
      CLIENT_CREDENTIALS_GRANT.clientSecret,
    ]);
    expect(fake.apiCalls()).toHaveLength(1);
  });

  it('answers with the refusal when the fresh read gives the same client credentials', async () => {
    fake.answerAuthentications({ status: 400, body: { error: 'invalid_client' } });
    const { reads, access } = reader(
      { grant: CLIENT_CREDENTIALS_GRANT },
      { grant: { ...CLIENT_CREDENTIALS_GRANT } },
    );
    const error = await rejection(client({ access }).finishPackage(1));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ httpStatus: 400 });
    expect(reads).toEqual(['cached', 'forced']);
    expect(fake.forms()).toHaveLength(1);
    expect(fake.apiCalls()).toEqual([]);
  });

  it('switches to the scope call when the secret moved from the password grant meanwhile', async () => {
    fake.answerAuthentications({ status: 400, body: { error: 'invalid_grant' } });
    const { access } = reader({ grant: PASSWORD_GRANT }, { grant: CLIENT_CREDENTIALS_GRANT });
    await client({ access }).finishPackage(1, { scope: 'a@x.com' });
    expect(fake.forms().map((form) => [form.grant_type, form.scope])).toEqual([
      ['password', 'a@x.com'],
      ['client_credentials', undefined],
    ]);
    expect(fake.scopeCalls()).toHaveLength(1);
    expect(bearers()).toEqual(['Bearer s']);
  });
});
