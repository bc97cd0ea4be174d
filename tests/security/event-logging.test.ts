import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startCallbackStack } from '../support/callback-stack.ts';
import {
  callbackEvent,
  scheduledEvent,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../support/factories.ts';
import { startFinishStack } from '../support/finish-stack.ts';
import { startFunctionStack, TEST_CALLBACK_SECRET } from '../support/function-stack.ts';
import { captureOutput } from '../support/output-capture.ts';
import { startPublishStack } from '../support/publish-stack.ts';

/** Powertools' documented switch, which an operator sets to see the events while debugging. */
const LOG_EVERY_EVENT = { POWERTOOLS_LOGGER_LOG_EVENT: 'true' };

/** What each function is given once: a signing event holds a signer's address, a callback's path its secret. */
const INVOCATIONS = {
  finish: async () => {
    const stack = await startFinishStack(LOG_EVERY_EVENT);
    await stack.invoke(
      sqsEvent(sqsRecord(signingEventBody({ packageId: 61, signerEmail: 'signer@example.com' }))),
    );
    await stack.stop();
  },
  callback: async () => {
    const stack = await startCallbackStack(LOG_EVERY_EVENT);
    await stack.call(callbackEvent({ secret: TEST_CALLBACK_SECRET, query: { package_id: '62' } }));
    await stack.stop();
  },
  reconcile: async () => {
    const stack = await startFunctionStack('reconcile', LOG_EVERY_EVENT);
    await stack.module.handler(scheduledEvent(), lambdaContext());
    await stack.stop();
  },
  publish: async () => {
    const stack = await startPublishStack(LOG_EVERY_EVENT);
    await stack.table.packages.recordConfirmation(
      63,
      { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
      new Date(),
    );
    await stack.pump.drain();
    await stack.stop();
  },
} as const;

describe('no function logs its event, whatever POWERTOOLS_LOGGER_LOG_EVENT says', () => {
  it.each(Object.keys(INVOCATIONS) as (keyof typeof INVOCATIONS)[])('%s', async (name) => {
    const output = captureOutput();
    try {
      await INVOCATIONS[name]();
    } finally {
      output.stop();
    }
    const lines = output.lines();
    // The function did log: the check below is about what, not whether.
    expect(lines.some((line) => 'level' in line)).toBe(true);
    expect(lines.filter((line) => line.message === 'Lambda invocation event')).toEqual([]);
  });
});
