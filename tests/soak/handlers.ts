import {
  type ArchiveModule,
  type CallbackModule,
  type FinishModule,
  importHandler,
  type PublishModule,
  type ReconcileModule,
} from '../../harness/handler-modules.ts';

export interface SoakHandlers {
  readonly finish: readonly FinishModule[];
  readonly callback: readonly CallbackModule[];
  readonly reconcile: ReconcileModule;
  readonly publish: PublishModule;
  readonly archive: readonly ArchiveModule[];
}

/** One module per instance, as warm environments have; `runId` keeps runs from sharing them. */
export const loadHandlers = async (
  runId: string,
  finishInstances: number,
  archiveInstances: number,
): Promise<SoakHandlers> => ({
  finish: await Promise.all(
    Array.from({ length: finishInstances }, (_, i) => importHandler('finish', `${runId}-${i + 1}`)),
  ),
  callback: await Promise.all([1, 2].map((i) => importHandler('callback', `${runId}-${i}`))),
  reconcile: await importHandler('reconcile', runId),
  publish: await importHandler('publish', runId),
  archive: await Promise.all(
    Array.from({ length: archiveInstances }, (_, i) =>
      importHandler('archive', `${runId}-${i + 1}`),
    ),
  ),
});
