import { describe, expect, it } from 'vitest';
import { freePort } from '../../harness/free-port.ts';
import { startCallbackStack } from '../support/callback-stack.ts';
import { callbackEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';

// Nothing listens there: every DynamoDB request fails.
const unreachable = `http://127.0.0.1:${await freePort()}`;
const { stack, output } = await startForFile(() =>
  startCallbackStack({ DYNAMODB_ENDPOINT: unreachable }),
);

describe('callback: failures of its own', () => {
  it('answers 500 with a generic message and no detail when the table cannot be reached', async () => {
    stack.simulator.createPackage(1, ['a@x.com']);
    const answer = await stack.call(
      callbackEvent({ secret: TEST_CALLBACK_SECRET, query: { package_id: '1' } }),
    );
    expect(answer.statusCode).toBe(500);
    expect(answer.rawBody).toBe('Internal Server Error');
    expect(output.text()).toContain('callback failed');
    expect(output.text()).not.toContain(TEST_CALLBACK_SECRET);
  });
});
