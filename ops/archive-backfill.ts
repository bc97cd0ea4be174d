import type { TableKey } from '../lib/store/keys.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import type { ArchiveOutput } from './archive-one.ts';
import { cursorOf, type ScanPage, type UnarchivedPackage } from './archive-scan.ts';
import { errorLine, sendRequests } from './archive-send.ts';
import { packageName } from './operator-target.ts';
import type { OperatorTarget } from './target.ts';
import { UserError } from './user-error.ts';

export interface BackfillOptions {
  /** Only this tenant's packages; undefined: every tenant's. */
  readonly tenant: string | undefined;
  /** At most this many requests in this run. */
  readonly max: number | undefined;
  /** Continue after this key (a cursor an earlier run printed). */
  readonly after: TableKey | undefined;
  /** Items each page of the Scan reads. */
  readonly pageSize: number;
}

/** A request sent: the package, and its message (or event) id. */
interface Requested {
  readonly packageId: number;
  readonly tenant: string;
  readonly id: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Requests every COMPLETED package not yet ARCHIVED, one page of the table's Scan at a time:
 * each page's requests in batches of 10, then a line with the cursor a later run continues
 * from. A rerun without it is safe too: what was archived since is skipped, and the archive
 * function takes a request it has done as done.
 */
export const archiveAll = async (
  opened: OperatorTarget,
  options: BackfillOptions,
  { json, streams, again }: ArchiveOutput,
): Promise<number> => {
  const { tenant, pageSize } = options;
  const destination = opened.archiveRequests();
  const region = opened.about.region;
  const say = (line: string) => (json ? streams.stderr : streams.stdout).write(`${line}\n`);
  const whose =
    tenant === undefined
      ? 'of every tenant'
      : tenant === DEFAULT_TENANT
        ? 'of the default tenant'
        : `of tenant ${tenant}`;
  const rerun = (after: TableKey | undefined) =>
    `npm run archive -- --all-completed${tenant === undefined ? '' : ` --tenant ${tenant}`}` +
    `${after === undefined ? '' : ` --after ${cursorOf(after)}`}${again}`;
  const requested: Requested[] = [];
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let failedBefore = 0;
  let pages = 0;
  let scanned = 0;
  let after = options.after;
  let next: TableKey | undefined;
  /** One line: where the run stopped, how many it requested, and how to continue. */
  const stopped = (why: string, resume: TableKey | undefined) =>
    new UserError(
      `archive --all-completed stopped after requesting ${plural(requested.length, 'package')}: ` +
        `${why}; continue with ${rerun(resume)}`,
    );
  for (;;) {
    let page: ScanPage;
    try {
      page = await opened.scanUnarchived({ tenant, after, limit: pageSize });
    } catch (error) {
      throw stopped(
        `the Scan of table ${opened.about.tableName} failed (${errorLine(error, region)})`,
        after,
      );
    }
    pages += 1;
    scanned += page.scanned;
    const take: readonly UnarchivedPackage[] = page.packages.slice(0, max - requested.length);
    const result = await sendRequests(
      destination,
      take.map(({ packageId, tenant: owner }) => ({ packageId, tenant: owner, force: false })),
      (error) => errorLine(error, region),
    );
    for (const { request, id } of result.sent) {
      requested.push({ packageId: request.packageId, tenant: request.tenant, id });
    }
    failedBefore += result.sent.filter(({ index }) => take[index]?.failedBefore).length;
    if (result.failed) {
      const { index, reason } = result.failed;
      const failed = take[index];
      throw stopped(
        `${failed ? packageName(failed.packageId, failed.tenant) : 'a package'} could not be put ` +
          `on ${destination.destination} (${reason})`,
        index > 0 ? take[index - 1]?.key : after,
      );
    }
    // Cut by --max: the next run starts after the last package requested.
    next = take.length < page.packages.length ? take.at(-1)?.key : page.next;
    say(
      `page ${pages}: requested ${plural(result.sent.length, 'package')} of ` +
        `${plural(page.scanned, 'item')} read; ${
          next === undefined
            ? 'the table is read to its end'
            : `continue after it with --after ${cursorOf(next)}`
        }`,
    );
    if (next === undefined || requested.length >= max) break;
    after = next;
  }
  if (json) {
    streams.stdout.write(
      `${JSON.stringify(
        {
          ...opened.about,
          tenant: tenant ?? null,
          destination: destination.destination,
          requested: requested.length,
          failedBefore,
          pages,
          scanned,
          next: next === undefined ? null : cursorOf(next),
          packages: requested,
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (requested.length === 0 && next === undefined) {
    say(`no COMPLETED package ${whose} is left to archive in ${opened.where}: nothing requested`);
    return 0;
  }
  say(
    `archive: requested ${plural(requested.length, 'package')} ${whose} ` +
      `(${failedBefore} of them FAILED before) on ${destination.destination} of ${opened.where}, ` +
      `in ${plural(pages, 'page')} of ${plural(scanned, 'item')} read; follow one with npm run ` +
      `status -- <packageId>${again}${
        next === undefined ? '' : `; stopped at --max ${options.max}: ${rerun(next)} continues`
      }`,
  );
  return 0;
};
