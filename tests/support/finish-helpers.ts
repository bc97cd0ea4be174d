import { signingEventBody, sqsRecord } from './factories.ts';
import type { FinishStack } from './finish-stack.ts';
import { itemAt } from './table-items.ts';

/** What the finish tests send and read back: events, items, SigningHub's count, handed-back ids. */
export const finishHelpers = (stack: FinishStack) => ({
  finishItem: (packageId: number, signer = 'alice@example.com') =>
    itemAt(stack.table, `PACKAGE#${packageId}`, `FINISH#${signer}`),
  packageItem: (packageId: number) => itemAt(stack.table, `PACKAGE#${packageId}`, 'PACKAGE'),
  finishes: (packageId: number) => stack.simulator.count('finish', packageId),
  eventFor: (packageId: number, signerEmail: string | undefined = 'alice@example.com') =>
    sqsRecord(signingEventBody({ packageId, signerEmail })),
  failuresOf: (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
    response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier),
});
