import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/free-port.ts';
import { type CallbackStack, startCallbackStack } from '../support/callback-stack.ts';
import { callbackEvent } from '../support/factories.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
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
