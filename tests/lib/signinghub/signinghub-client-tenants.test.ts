import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import { TokenCache } from '../../../lib/signinghub/token-cache.ts';
import {
  accessTo,
  CLIENT_CREDENTIALS_GRANT,
  clientOf,
  type SigningHubFake,
  startSigningHubFake,
} from '../../support/signinghub-fake.ts';

let fake: SigningHubFake;
let other: SigningHubFake;
beforeAll(async () => {
  [fake, other] = await Promise.all([startSigningHubFake(), startSigningHubFake()]);
});
afterAll(() => Promise.all([fake.close(), other.close()]));
beforeEach(() => {
  fake.reset();
  other.reset();
});

const token = (accessToken: string) => ({
  status: 200,
  body: { access_token: accessToken, expires_in: 600 },
});
const bearers = (sh: SigningHubFake) => sh.apiCalls().map(({ headers }) => headers.authorization);

/** A tenant's client of `baseUrl` sharing `tokens`. */
const tenantClient = (
  tenant: string,
  tokens: TokenCache,
  access: Partial<SigningHubAccess> = {},
  baseUrl = fake.baseUrl,
) => clientOf(baseUrl, { tokens }, { tenant, ...access });

describe('tokens per (tenant, scope)', () => {
  it('never sends one tenant’s token for another, on one host with one cache', async () => {
    const tokens = new TokenCache(Date.now);
    fake.answerAuthentications(token('for-a'), token('for-b'));
    const a = tenantClient('a', tokens);
    const b = tenantClient('b', tokens);
    await a.finishPackage(1);
    await b.finishPackage(2);
    await a.finishPackage(3);
    await b.finishPackage(4);
    expect(bearers(fake)).toEqual(['Bearer for-a', 'Bearer for-b', 'Bearer for-a', 'Bearer for-b']);
    expect(fake.forms()).toHaveLength(2);
  });

  it('keeps each tenant’s signer tokens apart too, for the same signer', async () => {
    const tokens = new TokenCache(Date.now);
    fake.answerAuthentications(token('account-a'), token('account-b'));
    fake.answerScopeCalls(token('alice-at-a'), token('alice-at-b'));
    const access = { grant: CLIENT_CREDENTIALS_GRANT };
    const a = tenantClient('a', tokens, access);
    const b = tenantClient('b', tokens, access);
    await a.finishPackage(1, { scope: 'alice@example.com' });
    await b.finishPackage(2, { scope: 'alice@example.com' });
    await a.finishPackage(3, { scope: 'alice@example.com' });
    expect(fake.scopeCalls().map(({ headers }) => headers.authorization)).toEqual([
      'Bearer account-a',
      'Bearer account-b',
    ]);
    expect(bearers(fake)).toEqual(['Bearer alice-at-a', 'Bearer alice-at-b', 'Bearer alice-at-a']);
  });

  it('shares one authentication among a tenant’s clients at once', async () => {
    const tokens = new TokenCache(Date.now);
    const clients = [1, 2, 3].map(() => tenantClient('a', tokens));
    await Promise.all(clients.map((sh, i) => sh.finishPackage(i, { scope: 'a@x.com' })));
    expect(fake.forms()).toHaveLength(1);
  });
});

describe('a tenant’s access changed since its token was got', () => {
  it('gets a new token at a new base URL, and sends the old host’s token nowhere else', async () => {
    fake.answerAuthentications(token('first-host'));
    other.answerAuthentications(token('second-host'));
    let access = accessTo(fake.baseUrl, { tenant: 'a' });
    const sh = clientOf(fake.baseUrl, { access: async () => access });
    await sh.finishPackage(1);
    access = accessTo(other.baseUrl, { tenant: 'a' });
    await sh.finishPackage(2);
    expect(bearers(fake)).toEqual(['Bearer first-host']);
    expect(bearers(other)).toEqual(['Bearer second-host']);
    expect(other.forms()).toHaveLength(1);
  });

  it('gets a new token for another client id on the same host', async () => {
    fake.answerAuthentications(token('old-client'), token('new-client'));
    let access = accessTo(fake.baseUrl, { grant: CLIENT_CREDENTIALS_GRANT });
    const sh = clientOf(fake.baseUrl, { access: async () => access });
    await sh.finishPackage(1);
    access = accessTo(fake.baseUrl, {
      grant: { ...CLIENT_CREDENTIALS_GRANT, clientId: 'another-client' },
    });
    await sh.finishPackage(2);
    expect(fake.forms().map((form) => form.client_id)).toEqual([
      CLIENT_CREDENTIALS_GRANT.clientId,
      'another-client',
    ]);
    expect(bearers(fake)).toEqual(['Bearer old-client', 'Bearer new-client']);
  });

  it('sends a finish where the credentials read afresh (after a refusal) got their token', async () => {
    // The reader's cache still names the old host, whose SigningHub refuses the account.
    fake.answerAuthentications({ status: 400, body: { error: 'invalid_grant' } });
    const access = async (options?: { readonly forceFetch?: boolean }) =>
      accessTo(options?.forceFetch === true ? other.baseUrl : fake.baseUrl);
    await clientOf(fake.baseUrl, { access }).finishPackage(1);
    expect(fake.apiCalls()).toEqual([]);
    expect(other.forms()).toHaveLength(1);
    expect(bearers(other)).toEqual(['Bearer t']);
  });
});
