import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startCallbackStack } from '../support/callback-stack.ts';
import { callbackEvent } from '../support/factories.ts';
import { startForFile } from '../support/file-stack.ts';
import { TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
import { sameLengthWrongSecret } from '../support/soak-factories.ts';
import { itemAt } from '../support/table-items.ts';
import { anyIdText, anyIdValue } from './arbitraries.ts';

const { stack, output } = await startForFile(() => startCallbackStack());

const secret = TEST_CALLBACK_SECRET;
const rejectedItemOf = (requestId: string) =>
  itemAt(stack.table, `REJECTED#callback-${requestId}`, 'REJECTED');

const events = fc.record({
  method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'PATCH'),
  secret: fc.oneof(
    fc.constant(secret),
    fc.constant(secret),
    fc.constant(secret),
    fc.constant(sameLengthWrongSecret(secret)),
    fc.constant(undefined),
    fc.string({ maxLength: 30 }),
  ),
  query: fc.dictionary(
    fc.constantFrom('package_id', 'document_id', 'token', 'user_email'),
    anyIdText,
    { maxKeys: 2 },
  ),
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/xml',
      'text/xml',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/octet-stream',
    ),
    { nil: undefined },
  ),
  body: fc.option(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      anyIdValue.map((id) => JSON.stringify({ package_id: id, package_status: 'COMPLETED' })),
      anyIdText.map((id) => new URLSearchParams({ package_id: id }).toString()),
      anyIdText.map(
        (id) =>
          `<WorkflowCompletionReport><DocumentID>${id}</DocumentID></WorkflowCompletionReport>`,
      ),
    ),
    { nil: undefined },
  ),
  base64: fc.boolean(),
});

describe('the callback function: any request gets an answer below 500', () => {
  it('answers 200, 400, 401 or 405 with a JSON body, keeps a rejected item for every 400, and never shows the secret', async () => {
    await fc.assert(
      fc.asyncProperty(events, async (input) => {
        const event = callbackEvent(input);

        const answer = await stack.call(event);

        expect([200, 400, 401, 405]).toContain(answer.statusCode);
        if (answer.rawBody !== undefined) {
          expect(() => JSON.parse(answer.rawBody ?? '')).not.toThrow();
          expect(answer.rawBody).not.toContain(secret);
        }
        if (answer.statusCode === 400) {
          const rejected = await rejectedItemOf(event.requestContext.requestId);
          expect(rejected).toMatchObject({
            source: 'callback',
            reason: (answer.body as { message: string }).message,
          });
          expect(JSON.stringify(rejected)).not.toContain(secret);
        }
      }),
      { numRuns: 150 },
    );
    expect(output.text()).not.toContain(secret);
  }, 60_000);
});
