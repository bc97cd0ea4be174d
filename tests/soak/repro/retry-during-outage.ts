/**
 * Reproduces: DynamoDB goes away between a transient SigningHub failure and the retry. Before
 * 3469547 the write that records the retry (recordRetry) was not retried like the others, so
 * the invocation gave up at once: the request it sent was missing from `attempts`, its error
 * from `lastError`, and the item stayed IN_FLIGHT under the lease, turning redeliveries away.
 * Exits 1 while that happens.
 *
 *   npm exec -- node tests/soak/repro/retry-during-outage.ts
 */
import { lambdaContext } from '../../support/factories.ts';
import { startReproStack } from './repro-stack.ts';

const packageId = 4343;
const signer = 'alice@example.com';
// A timeout long enough that holding the 503 while DynamoDB stops does not turn it into one.
const stack = await startReproStack(3_000);
try {
  stack.simulator.createPackage(packageId, [signer]);
  stack.simulator.script(packageId, 'finish', { status: 503, body: { Message: 'Unavailable' } });
  // DynamoDB stops the moment SigningHub's 503 comes back, before the function reads it, and
  // is started again at once (about five seconds), well within the invocation's minute.
  let restarted: Promise<void> | undefined;
  stack.observe({
    beforeFinishAnswer: (_, __, { status }) =>
      status === 503
        ? stack.stopDynamoDb().then(() => {
            restarted = stack.startDynamoDb();
          })
        : undefined,
  });
  const { handler } = await stack.finish();
  const event = stack.signingEvent(packageId, signer);

  const first = await handler(event, lambdaContext(60_000));
  await restarted;
  const item = await stack.finishItem(packageId, signer);
  const second = await handler(event, lambdaContext(60_000));

  const requests = stack.simulator.calls.filter((call) => call.operation === 'finish');
  const report = [
    `first delivery: batchItemFailures ${JSON.stringify(first.batchItemFailures)}`,
    `finish requests SigningHub received: ${requests.map((call) => call.status).join(', ')}`,
    `finish item after DynamoDB is back: status ${item?.status}, attempts ${item?.attempts}, ` +
      `lastError ${JSON.stringify(item?.lastError)}` +
      (item?.status === 'IN_FLIGHT'
        ? `, lease for another ${Math.round((Number(item.leaseUntil) - Date.now()) / 1000)} s`
        : ''),
    `redelivery right away: batchItemFailures ${JSON.stringify(second.batchItemFailures)}`,
  ];
  const reproduced = item?.attempts !== requests.length;
  process.stdout.write(
    `${report.join('\n')}\n${reproduced ? `REPRODUCED: attempts ${item?.attempts}, requests ${requests.length}` : 'not reproduced'}\n`,
  );
  process.exitCode = reproduced ? 1 : 0;
} finally {
  await stack.close();
}
