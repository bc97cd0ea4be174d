import type { ArchiveRequest } from '../lib/archive/archive-request.ts';
import { type Item, str } from '../lib/store/attributes.ts';
import { packageKey } from '../lib/store/keys.ts';
import { errorLine, sendRequests } from './archive-send.ts';
import { packageArgs, packageName } from './operator-target.ts';
import type { Streams } from './run-command.ts';
import type { OperatorTarget } from './target.ts';
import { UserError } from './user-error.ts';

/** How a command answers: JSON or lines, where, and the words that name its target again. */
export interface ArchiveOutput {
  readonly json: boolean;
  readonly streams: Streams;
  /** ` --stage prod --region eu-west-1`, or nothing for the local stack. */
  readonly again: string;
}

/** `(COMPLETED, its last archive FAILED: 403 ...)`: what the package item says of its archive. */
const archiveState = (item: Item): string => {
  const archiveStatus = str(item, 'archiveStatus');
  if (archiveStatus === 'FAILED') {
    const message = item.archiveError?.M?.message?.S;
    return `, its last archive FAILED${message ? `: ${message}` : ''}`;
  }
  if (archiveStatus === 'ARCHIVED') return `, ARCHIVED at ${str(item, 'archivedAt') ?? '?'}`;
  return '';
};

/** Why a package that is not COMPLETED has nothing to archive now, and what to do. */
const notCompleted = (request: ArchiveRequest, status: string): string => {
  const name = packageName(request.packageId, request.tenant);
  return status === 'IN_PROGRESS'
    ? `${name} is IN_PROGRESS: it is archived when it completes (npm run reconcile -- ` +
        `${packageArgs(request.packageId, request.tenant)} asks SigningHub whether it is final now)`
    : `${name} is ${status}: nothing to archive (only a COMPLETED package has signed documents)`;
};

/**
 * One package's archive request, once its package item says there is something to archive: a
 * COMPLETED package not yet ARCHIVED, or one ARCHIVED with --force.
 */
export const archiveOne = async (
  opened: OperatorTarget,
  request: ArchiveRequest,
  { json, streams, again }: ArchiveOutput,
): Promise<number> => {
  const { packageId, tenant, force } = request;
  // The archive being off says the most: checked before the package.
  const destination = opened.archiveRequests();
  const name = packageName(packageId, tenant);
  const item = await opened.table.get(packageKey(packageId, tenant));
  if (!item) throw new UserError(opened.hints.unknownPackage(packageId, tenant));
  const status = str(item, 'status') ?? 'IN_PROGRESS';
  if (status !== 'COMPLETED') throw new UserError(notCompleted(request, status));
  const archiveStatus = str(item, 'archiveStatus');
  const answer = (fields: Record<string, unknown>, line: string) => {
    streams.stdout.write(
      json
        ? `${JSON.stringify({ ...opened.about, packageId, tenant, status, archiveStatus: archiveStatus ?? null, force, ...fields }, null, 2)}\n`
        : `${line}\n`,
    );
    return 0;
  };
  const args = packageArgs(packageId, tenant);
  if (archiveStatus === 'ARCHIVED' && !force) {
    const documents = item.documents?.L?.length ?? 0;
    return answer(
      { requested: false, archivedAt: str(item, 'archivedAt') ?? null },
      `${name} is already ARCHIVED (at ${str(item, 'archivedAt') ?? '?'}, ${documents} ` +
        `document${documents === 1 ? '' : 's'}): nothing to do; --force archives it again ` +
        `(npm run archive -- ${args} --force${again})`,
    );
  }
  const result = await sendRequests(destination, [request], (error) =>
    errorLine(error, opened.about.region),
  );
  const sent = result.sent[0];
  if (!sent) {
    throw new UserError(
      `${name}: the archive request could not be put on ${destination.destination} ` +
        `(${result.failed?.reason ?? 'no answer'}); nothing was sent: run it again`,
    );
  }
  return answer(
    { requested: true, destination: destination.destination, id: sent.id },
    `${name} (COMPLETED${archiveState(item)}): archive requested${force ? ' with --force' : ''} ` +
      `on ${destination.destination} of ${opened.where} as ${sent.id}; follow it with ` +
      `npm run status -- ${args}${again}`,
  );
};
