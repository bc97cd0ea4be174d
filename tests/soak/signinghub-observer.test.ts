import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator, SimulatorCredentials } from '../../harness/simulator/types.ts';
import { type KeyPair, makeTestCertificates } from '../../harness/test-certificates.ts';
import type { SigningHubAccess } from '../../lib/signinghub/access.ts';
import { RetryableSigningHubError } from '../../lib/signinghub/errors.ts';
import { SigningHubClient } from '../../lib/signinghub/signinghub-client.ts';
import { observeSigningHub, type SigningHubObserver } from './signinghub-observer.ts';

let simulator: SigningHubSimulator;
let observer: SigningHubObserver;
let ca: KeyPair;
let secureClient: KeyPair;
/** Answers to hold past the client's timeout, as a starved event loop delays them. */
const held = new Set<number>();

const account = (name: string): SimulatorCredentials => ({
  clientId: `${name}-client`,
  clientSecret: `${name}-client-secret`,
  username: `admin@${name}.example`,
  password: `${name}-password`,
});

beforeAll(async () => {
  const certificates = await makeTestCertificates();
  ca = certificates.ca;
  secureClient = await certificates.client('secure');
  simulator = await startSimulator({
    tls: { cert: certificates.server.cert, key: certificates.server.key, clientCa: ca.cert },
    enterprises: {
      acme: { credentials: account('acme') },
      beta: { credentials: account('beta') },
      secure: {
        credentials: account('secure'),
        grants: ['client_credentials'],
        clientCertificate: { commonName: 'secure' },
      },
    },
  });
  observer = observeSigningHub({
    baseUrl: simulator.url,
    httpsBaseUrl: simulator.httpsUrl,
    beforeFinishAnswer: ({ packageId }) => (held.delete(packageId) ? delay(400) : undefined),
  });
}, 60_000);
afterAll(async () => {
  observer.uninstall();
  await simulator.close();
});

const client = (access: Omit<SigningHubAccess, 'apiVersion'>, timeoutMs = 2_000) =>
  new SigningHubClient({ timeoutMs, access: async () => ({ apiVersion: 'v3', ...access }) });

const passwordGrant = (credentials: SimulatorCredentials) => ({
  type: 'password' as const,
  ...credentials,
});

// Why the soak judges by the answers that reached the function: SigningHub's log alone says
// "403" for a finish the function never heard of, then "200" for the retry it did hear.
it('tells an answer the function heard from one that came after its timeout', async () => {
  const signingHub = client(
    {
      tenant: 'default',
      baseUrl: simulator.url,
      grant: passwordGrant(DEFAULT_SIMULATOR_CREDENTIALS),
      tls: undefined,
    },
    200,
  );
  simulator.script(7, 'finish', { status: 403, body: { Message: 'Account is disabled' } });
  held.add(7);

  await expect(signingHub.finishPackage(7, { scope: 'a@x.com' })).rejects.toBeInstanceOf(
    RetryableSigningHubError,
  );
  await signingHub.finishPackage(7, { scope: 'a@x.com' });
  await delay(300);

  const calls = simulator.calls.filter((call) => call.operation === 'finish');
  expect(calls.map(({ status }) => status)).toEqual([403, 200]);
  const answers = observer.finishAnswers
    .filter(({ key }) => key === 'default/7|a@x.com')
    .map(({ status, received }) => [status, received]);
  expect(answers.sort()).toEqual([
    [200, true],
    [403, false],
  ]);
  expect(observer.finishRequests.get('default/7|a@x.com')).toBe(2);
});

it('names the tenant of a request by the host it went to, the same package id apart', async () => {
  await client({
    tenant: 'acme',
    baseUrl: simulator.enterprise('acme').url,
    grant: passwordGrant(account('acme')),
    tls: undefined,
  }).finishPackage(8, { scope: 'b@x.com' });
  expect(observer.finishRequests.get('acme/8|b@x.com')).toBe(1);
  expect(observer.finishRequests.get('default/8|b@x.com')).toBeUndefined();
  // The simulator's log names the scope through the header the observer adds.
  expect(simulator.enterprise('acme').calls.at(-1)?.headers['x-soak-scope']).toBe('b@x.com');
});

it('sees a client certificate’s tenant over node:https: tokens from the scope call, finishes, workflow', async () => {
  const secure = client({
    tenant: 'secure',
    baseUrl: simulator.enterprise('secure').httpsUrl ?? '',
    grant: { type: 'client_credentials', ...account('secure') },
    tls: { certificate: secureClient.cert, key: secureClient.key, ca: ca.cert },
  });
  simulator.enterprise('secure').createPackage(9, ['c@x.com']);
  await secure.finishPackage(9, { scope: 'c@x.com' });
  await secure.getWorkflow(9, {});

  expect(observer.finishRequests.get('secure/9|c@x.com')).toBe(1);
  expect(observer.finishAnswers.filter(({ key }) => key === 'secure/9|c@x.com')).toEqual([
    expect.objectContaining({ status: 200, received: true }),
  ]);
  expect(observer.workflowAnswers.filter(({ ref }) => ref === 'secure/9')).toEqual([
    expect.objectContaining({ word: 'COMPLETED' }),
  ]);
  const calls = simulator.enterprise('secure').calls;
  expect(calls.map(({ operation }) => operation)).toEqual([
    'authenticate',
    'scope',
    'finish',
    'workflow',
  ]);
  expect(calls.find(({ operation }) => operation === 'finish')?.headers['x-soak-scope']).toBe(
    'c@x.com',
  );
  expect(observer.misdirected).toEqual([]);
});

it('catches a token one tenant’s host issued sent to another’s', async () => {
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: account('acme').clientId,
    client_secret: account('acme').clientSecret,
    username: account('acme').username,
    password: account('acme').password,
  });
  const issued = await fetch(`${simulator.enterprise('acme').url}/authenticate`, {
    method: 'POST',
    body: form,
  });
  const { access_token: token } = (await issued.json()) as { access_token: string };
  await fetch(`${simulator.enterprise('beta').url}/v3/packages/10/finish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(observer.misdirected).toEqual([
    "beta's host got a token of acme's for /v3/packages/10/finish",
  ]);
});
