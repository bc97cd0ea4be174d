import { PACKAGE_USAGE, packageCommandLine, packageName } from './operator-target.ts';
import { type RepublishResult, republishPackage } from './republish.ts';
import type { Streams } from './run-command.ts';
import type { TargetOpener } from './target.ts';

const COMMAND = {
  name: 'republish',
  synopsis: PACKAGE_USAGE,
  summary:
    "Sends a final package's completion event again, rebuilt from its package item by the code " +
    'the publish function uses.',
  examples: [
    'npm run republish -- 1001',
    'npm run republish -- 1001 --tenant acme',
    'npm run republish -- 1001 --stage prod --json',
  ],
};

export const describeRepublish = (result: RepublishResult): string =>
  `${packageName(result.packageId, result.tenant)} (${result.status}): ${result.detailType} sent again to bus ` +
  `${result.busName}${result.eventId ? ` as event ${result.eventId}` : ''}`;

/** `npm run republish`: a final package's completion event, sent again. */
export const republish = async (
  args: readonly string[],
  open: TargetOpener,
  { stdout }: Streams,
): Promise<number> => {
  const { target, packageId, tenant, json } = packageCommandLine(COMMAND, args);
  return open(target, async (opened) => {
    const { eventBridge, busName } = await opened.completionBus();
    const result = await republishPackage(
      { packageId, tenant },
      {
        table: opened.table,
        tableName: opened.about.tableName,
        eventBridge,
        busName,
        where: opened.where,
      },
    );
    stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${describeRepublish(result)}\n`);
    return 0;
  });
};
