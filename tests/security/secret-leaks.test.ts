import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/free-port.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import { type CallbackStack, startCallbackStack } from '../support/callback-stack.ts';
import { withDeployTools } from '../support/deploy-tools.ts';
import { callbackEvent } from '../support/factories.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
import { startMotoSecrets } from '../support/moto-secrets.ts';
import { captureOutput, type OutputCapture } from '../support/output-capture.ts';

const secret = TEST_CALLBACK_SECRET;

let output: OutputCapture;
beforeAll(() => {
  output = captureOutput();
});
afterAll(() => output.stop());

describe('callback: the secret when Powertools is told to log every event', () => {
  let stack: CallbackStack;
  beforeAll(async () => {
    // An operator's usual switch for debugging (Powertools' documented environment variable).
    stack = await startCallbackStack({ POWERTOOLS_LOGGER_LOG_EVENT: 'true' });
  });
  afterAll(() => stack.stop());

  it('keeps the secret in the path out of the logged event', async () => {
    const printedBefore = output.text().length;
    const answer = await stack.call(callbackEvent({ secret, query: { package_id: '31' } }));
    expect(answer.statusCode).toBe(200);
    const printed = output.text().slice(printedBefore);
    expect(printed).toContain('callback received');
    expect(printed).not.toContain(secret);
  });
});

describe('callback: the secret when DynamoDB cannot be reached', () => {
  let stack: CallbackStack;
  beforeAll(async () => {
    stack = await startCallbackStack({
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    });
  });
  afterAll(() => stack.stop());

  it('answers 500 with a plain message: no secret, no stack, no endpoint', async () => {
    const printedBefore = output.text().length;
    const answer = await stack.call(callbackEvent({ secret, query: { package_id: '32' } }));
    expect(answer.statusCode).toBe(500);
    for (const text of [secret, 'ECONNREFUSED', '127.0.0.1', '    at ']) {
      expect(answer.rawBody ?? '').not.toContain(text);
    }
    const printed = output.text().slice(printedBefore);
    expect(printed).toContain('callback failed');
    expect(printed).not.toContain(secret);
  });
});

describe('callback: the secrets from Secrets Manager, through a rotation and failed reads', () => {
  const first = 'leak-test-first-secret-0123456789';
  const second = 'leak-test-second-secret-0123456789';
  const password = 'leak-test-password-0123456789';
  const notJson = `password=${password}`;
  const aws = withDeployTools(async (defer) => {
    const secrets = await startMotoSecrets();
    defer(() => secrets.stop());
    const { clientId, clientSecret, username } = DEFAULT_SIMULATOR_CREDENTIALS;
    await secrets.create(
      'leaks/credentials',
      JSON.stringify({ client_id: clientId, client_secret: clientSecret, username, password }),
    );
    await secrets.create('leaks/callback', first);
    const stack = await startCallbackStack(
      {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        // Read on every call: each step below is seen at once.
        POWERTOOLS_PARAMETERS_MAX_AGE: '0',
        SIGNINGHUB_PASSWORD: '',
        SIGNINGHUB_CREDENTIALS_SECRET: 'leaks/credentials',
        CALLBACK_SECRET: '',
        CALLBACK_SECRET_ID: 'leaks/callback',
      },
      { credentials: { ...DEFAULT_SIMULATOR_CREDENTIALS, password } },
    );
    defer(() => stack.stop());
    return { secrets, stack };
  }, 90_000);

  it('prints no value of either secret, and answers 500 without one', async () => {
    const { secrets, stack } = aws();
    const printedBefore = output.text().length;
    const call = (given: string, packageId: number) =>
      stack.call(callbackEvent({ secret: given, query: { package_id: String(packageId) } }));
    const answers = [await call(first, 41)];
    await secrets.put('leaks/callback', second);
    answers.push(await call(second, 42), await call(first, 43));
    await secrets.put('leaks/credentials', notJson);
    // The token held stays in use until SigningHub refuses it: then the secret is read again.
    stack.simulator.revokeTokens();
    answers.push(await call(second, 44));
    await secrets.markDeleted('leaks/callback');
    answers.push(await call(second, 45));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 500, 500]);
    const printed = output.text().slice(printedBefore);
    expect(printed).toContain('is not JSON');
    expect(printed).toContain('InvalidRequestException');
    for (const value of [first, second, password, DEFAULT_SIMULATOR_CREDENTIALS.clientSecret]) {
      expect(printed).not.toContain(value);
      for (const answer of answers) expect(answer.rawBody ?? '').not.toContain(value);
    }
  });
});
