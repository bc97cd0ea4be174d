import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { SimulatorCredentials } from '../../harness/simulator/types.ts';
import { type CallbackStack, startCallbackStack } from '../support/callback-stack.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { callbackEvent, signingEventBody, sqsEvent, sqsRecord } from '../support/factories.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { startMotoSecrets } from '../support/moto-secrets.ts';
import { scanAll } from '../support/table-items.ts';

const asSecret = (account: SimulatorCredentials): string =>
  JSON.stringify({
    client_id: account.clientId,
    client_secret: account.clientSecret,
    username: account.username,
    password: account.password,
  });

const fromSecrets = (endpoint: string, credentialsSecret: string) => ({
  AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
  SIGNINGHUB_CLIENT_ID: '',
  SIGNINGHUB_CLIENT_SECRET: '',
  SIGNINGHUB_USERNAME: '',
  SIGNINGHUB_PASSWORD: '',
  SIGNINGHUB_CREDENTIALS_SECRET: credentialsSecret,
  CALLBACK_SECRET: '',
  CALLBACK_SECRET_ID: 'test/callback',
});

const FIRST = 'first-callback-secret-0123456789';
const SECOND = 'second-callback-secret-0123456789';

/** SigningHub's side of the finish stack: the tests change its password as an operator would. */
const account: SimulatorCredentials = { ...DEFAULT_SIMULATOR_CREDENTIALS };

const aws = withDeployTools(async (defer) => {
  const secrets = await startMotoSecrets();
  defer(() => secrets.stop());
  await secrets.create('test/finish-credentials', asSecret(account));
  await secrets.create('test/callback-credentials', asSecret(DEFAULT_SIMULATOR_CREDENTIALS));
  await secrets.create('test/callback', FIRST);
  const finish = await startFinishStack(
    {
      ...fromSecrets(secrets.endpoint, 'test/finish-credentials'),
      POWERTOOLS_PARAMETERS_MAX_AGE: '60',
    },
    { credentials: account },
  );
  defer(() => finish.stop());
  const callback = await startCallbackStack({
    ...fromSecrets(secrets.endpoint, 'test/callback-credentials'),
    // Unset (the finish stack's value is still in the environment): the default, 300 s.
    POWERTOOLS_PARAMETERS_MAX_AGE: '',
  });
  defer(() => callback.stop());
  return { secrets, finish, callback };
}, 120_000);

// Powertools' cache reads the clock (Date) to decide what has expired; nothing else is faked.
beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterAll(() => {
  vi.useRealTimers();
});
const pass = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

let nextPackageId = 1;
const finishOne = (signerEmail: string) =>
  aws().finish.invoke(
    sqsEvent(sqsRecord(signingEventBody({ packageId: nextPackageId++, signerEmail }))),
  );

describe('finish: credentials from the named secret', () => {
  it('finishes with credentials read once from the named secret', async () => {
    const { finish, secrets } = aws();
    const response = await finish.invoke(
      sqsEvent(
        sqsRecord(signingEventBody({ packageId: nextPackageId++, signerEmail: 'a@x.com' })),
        sqsRecord(signingEventBody({ packageId: nextPackageId++, signerEmail: 'b@x.com' })),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(finish.simulator.count('finish')).toBe(2);
    expect(secrets.reads('test/finish-credentials')).toBe(1);
  });

  it('uses rotated credentials once POWERTOOLS_PARAMETERS_MAX_AGE has passed, without a cold start', async () => {
    const { finish, secrets } = aws();
    account.password = 'rotated-password-1';
    await secrets.put('test/finish-credentials', asSecret(account));
    pass(59);
    expect((await finishOne('a@x.com')).batchItemFailures).toEqual([]);
    expect(secrets.reads('test/finish-credentials')).toBe(1);
    pass(2);
    const callsBefore = finish.simulator.calls.length;
    // Past the maximum age the secret is read again (it also holds the host's TLS settings), but
    // a token got with the old password stays in use: same host, same client, not refused.
    expect((await finishOne('a@x.com')).batchItemFailures).toEqual([]);
    expect(secrets.reads('test/finish-credentials')).toBe(2);
    // The next authentication uses what was read and is not refused.
    expect((await finishOne('c@x.com')).batchItemFailures).toEqual([]);
    expect(secrets.reads('test/finish-credentials')).toBe(2);
    const authentications = finish.simulator.calls
      .slice(callsBefore)
      .filter((call) => call.operation === 'authenticate');
    expect(authentications.map((call) => [call.scope, call.status])).toEqual([['c@x.com', 200]]);
  });

  it('reads the secret again at once when SigningHub refuses the credentials', async () => {
    const { finish, secrets } = aws();
    account.password = 'rotated-password-2';
    await secrets.put('test/finish-credentials', asSecret(account));
    const callsBefore = finish.simulator.calls.length;
    // A signer with no token yet: the old password is refused, the secret's new one is not.
    expect((await finishOne('new-signer@x.com')).batchItemFailures).toEqual([]);
    const authentications = finish.simulator.calls
      .slice(callsBefore)
      .filter((call) => call.operation === 'authenticate');
    expect(authentications.map((call) => call.status)).toEqual([400, 200]);
    expect(secrets.reads('test/finish-credentials')).toBe(3);
  });
});

/** Calls the callback function and answers what it said and what it stored or called. */
const callWith = async (stack: CallbackStack, secret: string, packageId: number) => {
  const itemsBefore = await scanAll(stack.table);
  const callsBefore = stack.simulator.calls.length;
  stack.simulator.createPackage(packageId, ['a@x.com']);
  const answer = await stack.call(
    callbackEvent({ secret, query: { package_id: String(packageId) } }),
  );
  return {
    status: answer.statusCode,
    stored: (await scanAll(stack.table)).length - itemsBefore.length,
    called: stack.simulator.calls.length - callsBefore,
  };
};

describe('callback: the secret from the named secret, through a rotation', () => {
  it('accepts the only version there is, and refuses another secret', async () => {
    const { callback } = aws();
    expect(await callWith(callback, FIRST, 101)).toMatchObject({ status: 200, stored: 1 });
    expect(await callWith(callback, 'test/callback', 102)).toEqual({
      status: 401,
      stored: 0,
      called: 0,
    });
  });

  it('accepts a new value once the maximum age (300 s) has passed, and the old one still', async () => {
    const { callback, secrets } = aws();
    await secrets.put('test/callback', SECOND);
    pass(299);
    expect((await callWith(callback, SECOND, 103)).status).toBe(401);
    pass(2);
    expect((await callWith(callback, SECOND, 104)).status).toBe(200);
    expect((await callWith(callback, FIRST, 105)).status).toBe(200);
    expect(await callWith(callback, 'unknown-secret-0123456789', 106)).toEqual({
      status: 401,
      stored: 0,
      called: 0,
    });
  });

  it('refuses the old value once AWSPREVIOUS is removed and the maximum age has passed', async () => {
    const { callback, secrets } = aws();
    await secrets.removePrevious('test/callback');
    expect((await callWith(callback, FIRST, 107)).status).toBe(200);
    pass(301);
    expect(await callWith(callback, FIRST, 108)).toEqual({ status: 401, stored: 0, called: 0 });
    expect((await callWith(callback, SECOND, 109)).status).toBe(200);
  });

  it('answers 500 while the secret cannot be read, and reads it again on the next call', async () => {
    const { callback, secrets } = aws();
    await secrets.markDeleted('test/callback');
    pass(301);
    expect(await callWith(callback, SECOND, 110)).toEqual({ status: 500, stored: 0, called: 0 });
    await secrets.restore('test/callback');
    expect((await callWith(callback, SECOND, 111)).status).toBe(200);
  });
});
