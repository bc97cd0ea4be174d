import { createHash } from 'node:crypto';
import { type ArchiveMetrics, archiveMetricsTo } from '../../lib/archive/archive-metrics.ts';
import type { ArchiveDependencies } from '../../lib/archive/archive-package.ts';
import type { ArchiveBucket, DocumentUpload } from '../../lib/archive/s3-archive-bucket.ts';
import { DEFAULT_RETRY_POLICY } from '../../lib/finish/retry-policy.ts';
import { createInvocationBudget, type InvocationBudget } from '../../lib/invocation-timeline.ts';
import type {
  CallOptions,
  DocumentsPort,
  PackageDocument,
  PackageDocuments,
} from '../../lib/signinghub/ports.ts';
import { testDocument } from './archive-s3.ts';

/*
 * Fakes through parameters for the archive's use case: a SigningHub with documents, a bucket that
 * reads what it is given, a clock the test moves. The S3 bucket and the client have their own tests.
 */

/** What a fake answers instead: an error thrown, or a hook run before answering. */
type Scripted = Error | (() => void | Promise<void>);

export interface FakeDocuments extends DocumentsPort {
  /** Each call: the workflow details, or a document with the scope it was asked for. */
  readonly calls: { readonly documentId?: number; readonly scope?: string | undefined }[];
  /** The next answers for the workflow (`0`) or a document, in order; then the real answer. */
  script(documentId: number, ...answers: Scripted[]): void;
  /** The workflow answers 404: the package is deleted at SigningHub. */
  deleted: boolean;
  /** Document downloads asked for, by id. */
  downloads(documentId?: number): number;
}

/** Documents of `bytes` each, named `Document <id>.pdf`, ordered as given. */
export const documentsOf = (...ids: number[]): PackageDocument[] =>
  ids.map((documentId, order) => ({ documentId, name: `Document ${documentId}.pdf`, order }));

export const documentBytes = (documentId: number) => 1_000 + documentId;
export const documentSha256 = (documentId: number) =>
  testDocument(documentBytes(documentId), { seed: documentId }).sha256;

export const fakeDocuments = (
  packageId: number,
  documents: readonly PackageDocument[],
  owner?: string,
): FakeDocuments => {
  const scripts = new Map<number, Scripted[]>();
  const calls: { documentId?: number; scope?: string | undefined }[] = [];
  const play = (id: number) => {
    const next = scripts.get(id)?.shift();
    if (next instanceof Error) throw next;
    next?.();
  };
  const fake: FakeDocuments = {
    calls,
    deleted: false,
    script: (id, ...answers) => scripts.set(id, [...(scripts.get(id) ?? []), ...answers]),
    downloads: (id) =>
      calls.filter(
        (call) => call.documentId !== undefined && (id === undefined || call.documentId === id),
      ).length,
    getPackageDocuments: async (): Promise<PackageDocuments | undefined> => {
      calls.push({});
      play(0);
      if (fake.deleted) return undefined;
      return { packageId, workflowStatus: 'COMPLETED', owner, documents };
    },
    downloadDocument: async (
      _packageId: number,
      documentId: number,
      options: Pick<CallOptions, 'scope' | 'signal'>,
    ) => {
      calls.push({ documentId, scope: options.scope });
      play(documentId);
      return testDocument(documentBytes(documentId), { seed: documentId }).stream();
    },
  };
  return fake;
};

export interface FakeBucket extends ArchiveBucket {
  /** What each store call read, by key, in order. */
  readonly stored: { key: string; name: string; bytes: number; sha256: string }[];
  /** The next store calls throw these (after reading the body), or run the hook first. */
  script(...answers: Scripted[]): void;
}

export const fakeBucket = (name = 'archive-test'): FakeBucket => {
  const answers: Scripted[] = [];
  const stored: FakeBucket['stored'] = [];
  return {
    name,
    stored,
    script: (...next) => answers.push(...next),
    store: async ({ key, name: documentName, body }: DocumentUpload) => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of body) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      const next = answers.shift();
      if (next instanceof Error) throw next;
      await next?.();
      const sha256 = hash.digest('hex');
      stored.push({ key, name: documentName, bytes, sha256 });
      return { bytes, sha256 };
    },
  };
};

/** A clock the test moves: the budget and `now` read it. */
export interface TestClock {
  ms: number;
  readonly slept: number[];
}

/** The archive's metrics, kept: the data points of each, by name. */
export interface RecordedArchiveMetrics extends ArchiveMetrics {
  values(name: string): number[];
}

export const recordArchiveMetrics = (): RecordedArchiveMetrics => {
  const points: { name: string; value: number }[] = [];
  const port = archiveMetricsTo({
    addMetric: (name, _unit, value) => {
      points.push({ name, value });
    },
  });
  return {
    ...port,
    values: (name) => points.filter((point) => point.name === name).map((point) => point.value),
  };
};

export interface ArchiveTestDeps extends ArchiveDependencies {
  readonly metrics: RecordedArchiveMetrics;
  readonly clock: TestClock;
  /** An invocation with `remainingMs` left on the test's clock. */
  budget(remainingMs?: number): InvocationBudget;
}

export const REQUEST_TIMEOUT_MS = 2_000;

/** The use case's dependencies, on a clock that moves only when the test (or a sleep) moves it. */
export const archiveTestDeps = (bucket: ArchiveBucket): ArchiveTestDeps => {
  const clock: TestClock = { ms: Date.parse('2026-12-01T10:00:00Z'), slept: [] };
  const metrics = recordArchiveMetrics();
  return {
    bucket,
    now: () => new Date(clock.ms),
    sleep: async (ms) => {
      clock.slept.push(ms);
      clock.ms += ms;
    },
    random: () => 0.5,
    retryPolicy: DEFAULT_RETRY_POLICY,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    metrics,
    clock,
    budget: (remainingMs = 60_000) =>
      createInvocationBudget(remainingMs, undefined, () => clock.ms),
  };
};
