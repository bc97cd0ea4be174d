/**
 * Reproduces: SigningHub carries out a finish but answers after SIGNINGHUB_TIMEOUT_MS; the
 * function takes the timeout for a failure, retries, and SigningHub finishes the same
 * (package, signer) a second time. Exits 1 while that happens.
 *
 *   npm exec -- node tests/soak/repro/late-finish-answer.ts
 */
import { setTimeout as delay } from 'node:timers/promises';
import { lambdaContext } from '../../support/factories.ts';
import { startReproStack } from './repro-stack.ts';

const packageId = 4242;
const signer = 'alice@example.com';
const stack = await startReproStack();
try {
  stack.simulator.createPackage(packageId, [signer, 'bob@example.com']);
  let answered = 0;
  // The first answer reaches the function 600 ms late: after its 300 ms timeout.
  stack.observe({
    beforeFinishAnswer: (_, __, { status }) => {
      answered += 1;
      return status === 200 && answered === 1 ? delay(600) : undefined;
    },
  });
  const { handler } = await stack.finish();

  const response = await handler(stack.signingEvent(packageId, signer), lambdaContext(60_000));

  const finishes = stack.simulator.calls
    .filter((call) => call.operation === 'finish')
    .map((call) => call.status);
  const item = await stack.finishItem(packageId, signer);
  const report = [
    `batchItemFailures: ${JSON.stringify(response.batchItemFailures)}`,
    `finish requests SigningHub carried out for (${packageId}, ${signer}): ${finishes.join(', ')}`,
    `signer state at SigningHub: ${JSON.stringify(stack.simulator.getPackage(packageId)?.signers)}`,
    `finish item: status ${item?.status}, attempts ${item?.attempts}, lastError ${JSON.stringify(item?.lastError)}`,
  ];
  const reproduced = finishes.filter((status) => status === 200).length > 1;
  process.stdout.write(
    `${report.join('\n')}\n${reproduced ? 'REPRODUCED: SigningHub finished it twice' : 'not reproduced'}\n`,
  );
  process.exitCode = reproduced ? 1 : 0;
} finally {
  await stack.close();
}
