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

/**
 * Each function's stack and what it is given once: a signing event holds a signer's address, a
 * callback's path its secret. Each stack is stopped by the test, whatever the invocation did.
 */
const INVOCATIONS = {
  finish: async () => {
    const stack = await startFinishStack(LOG_EVERY_EVENT);
    const invoke = () =>
      stack.invoke(
        sqsEvent(sqsRecord(signingEventBody({ packageId: 61, signerEmail: 'signer@example.com' }))),
      );
    return { stack, invoke };
  },
  callback: async () => {
    const stack = await startCallbackStack(LOG_EVERY_EVENT);
    const invoke = () =>
      stack.call(callbackEvent({ secret: TEST_CALLBACK_SECRET, query: { package_id: '62' } }));
    return { stack, invoke };
  },
  reconcile: async () => {
    const stack = await startFunctionStack('reconcile', LOG_EVERY_EVENT);
    return { stack, invoke: () => stack.module.handler(scheduledEvent(), lambdaContext()) };
  },
  publish: async () => {
    const stack = await startPublishStack(LOG_EVERY_EVENT);
    const invoke = async () => {
      await stack.table.packages.recordConfirmation(
        63,
        { status: 'COMPLETED', workflowStatus: 'COMPLETED' },
        new Date(),
      );
      await stack.pump.drain();
    };
    return { stack, invoke };
  },
} as const;

describe('no function logs its event, whatever POWERTOOLS_LOGGER_LOG_EVENT says', () => {
  it.each(Object.keys(INVOCATIONS) as (keyof typeof INVOCATIONS)[])('%s', async (name) => {
    const output = captureOutput();
    try {
      const { stack, invoke } = await INVOCATIONS[name]();
      try {
        await invoke();
      } finally {
        await stack.stop();
      }
    } finally {
      output.stop();
    }
    const lines = output.lines();
    // The function did log: the check below is about what, not whether.
    expect(lines.some((line) => 'level' in line)).toBe(true);
    expect(lines.filter((line) => line.message === 'Lambda invocation event')).toEqual([]);
  });
});
