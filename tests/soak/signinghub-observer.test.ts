import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { RetryableSigningHubError } from '../../lib/signinghub/errors.ts';
import { SigningHubClient } from '../../lib/signinghub/signinghub-client.ts';
import { observeSigningHub, type SigningHubObserver } from './signinghub-observer.ts';

let simulator: SigningHubSimulator;
let observer: SigningHubObserver;
/** Answers to hold past the client's timeout, as a starved event loop delays them. */
const held = new Set<number>();

beforeAll(async () => {
  simulator = await startSimulator();
  observer = observeSigningHub({
    baseUrl: simulator.url,
    beforeFinishAnswer: (packageId) => (held.delete(packageId) ? delay(400) : undefined),
  });
});
afterAll(async () => {
  observer.uninstall();
  await simulator.close();
});

// Why the soak judges by the answers that reached the function: SigningHub's log alone says
// "403" for a finish the function never heard of, then "200" for the retry it did hear.
it('tells an answer the function heard from one that came after its timeout', async () => {
  const client = new SigningHubClient({
    baseUrl: simulator.url,
    apiVersion: 'v3',
    timeoutMs: 200,
    credentials: async () => DEFAULT_SIMULATOR_CREDENTIALS,
  });
  simulator.script(7, 'finish', { status: 403, body: { Message: 'Account is disabled' } });
  held.add(7);

  await expect(client.finishPackage(7, { scope: 'a@x.com' })).rejects.toBeInstanceOf(
    RetryableSigningHubError,
  );
  await client.finishPackage(7, { scope: 'a@x.com' });
  await delay(300);

  const calls = simulator.calls.filter((call) => call.operation === 'finish');
  expect(calls.map(({ status }) => status)).toEqual([403, 200]);
  const answers = observer.finishAnswers.map(({ status, received }) => [status, received]);
  expect(answers.sort()).toEqual([
    [200, true],
    [403, false],
  ]);
  expect(observer.finishRequests.get('7|a@x.com')).toBe(2);
});
