import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import { type CallbackStack, startCallbackStack } from '../support/callback-stack.ts';
import { callbackEvent, signingEventBody, sqsEvent, sqsRecord } from '../support/factories.ts';
import { type FinishStack, startFinishStack } from '../support/finish-stack.ts';
import {
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../support/secrets-manager-emulator.ts';

let secrets: SecretsManagerEmulator;
let finish: FinishStack;
let callback: CallbackStack;
const callbackSecret = 'from-secrets-manager-0123456789';

beforeAll(async () => {
  secrets = await startSecretsManagerEmulator();
  const { clientId, clientSecret, username, password } = DEFAULT_SIMULATOR_CREDENTIALS;
  secrets.put(
    'test/credentials',
    JSON.stringify({ client_id: clientId, client_secret: clientSecret, username, password }),
  );
  secrets.put('test/callback', callbackSecret);
  const fromSecrets = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    SIGNINGHUB_CLIENT_ID: '',
    SIGNINGHUB_CLIENT_SECRET: '',
    SIGNINGHUB_USERNAME: '',
    SIGNINGHUB_PASSWORD: '',
    SIGNINGHUB_CREDENTIALS_SECRET: 'test/credentials',
    CALLBACK_SECRET: '',
    CALLBACK_SECRET_ID: 'test/callback',
  };
  finish = await startFinishStack(fromSecrets);
  callback = await startCallbackStack(fromSecrets);
});
afterAll(async () => {
  await finish.stop();
  await callback.stop();
  await secrets.close();
});

describe('credentials and the callback secret from Secrets Manager, by name', () => {
  it('finishes with credentials read once from the named secret', async () => {
    const response = await finish.invoke(
      sqsEvent(
        sqsRecord(signingEventBody({ packageId: 1, signerEmail: 'a@x.com' })),
        sqsRecord(signingEventBody({ packageId: 2, signerEmail: 'b@x.com' })),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(finish.simulator.count('finish')).toBe(2);
    expect(secrets.reads.filter((id) => id === 'test/credentials')).toHaveLength(1);
  });

  it('authenticates callbacks against the named secret', async () => {
    callback.simulator.createPackage(3, ['a@x.com']);
    const good = await callback.call(
      callbackEvent({ secret: callbackSecret, query: { package_id: '3' } }),
    );
    const bad = await callback.call(
      callbackEvent({ secret: 'test/callback', query: { package_id: '3' } }),
    );
    expect([good.statusCode, bad.statusCode]).toEqual([200, 401]);
  });
});
