import type { DocumentScript, SigningHubSimulator } from '../../harness/simulator/types.ts';
import type { Random } from './random.ts';
import { type PackageRef, parsePackageRef } from './tenant-mix.ts';
import type { Workload } from './workload.ts';

/** The archive's share of a soak: its function, its queue, and what the run does to it. */
export interface ArchiveSoakOptions {
  /** Archive instances: the event source mapping's maximumConcurrency (5 deployed). */
  readonly instances: number;
  /** The archive function's timeout (900 s deployed), compressed. */
  readonly lambdaTimeoutMs: number;
  /** ArchiveQueue's visibility timeout (5,400 s deployed), compressed. */
  readonly visibilityTimeoutMs: number;
  /** Completion events delivered twice, as EventBridge and SQS may. */
  readonly duplicateRate: number;
  /** Of those copies, the share delivered at the same moment to a second instance. */
  readonly concurrentDuplicateShare: number;
  /** A document over 5 MiB (a multipart upload); one at least in every run. */
  readonly largeDocumentRate: number;
  /** Per package, each at least once in a run: a 503 or two on a document, retried at once. */
  readonly unavailableRate: number;
  /** A document's body that stalls past SIGNINGHUB_TIMEOUT_MS, then is read again. */
  readonly stallRate: number;
  /** A document's body cut off halfway. */
  readonly cutRate: number;
  /** A package's last document failing past one invocation's tries: the next delivery resumes. */
  readonly resumeRate: number;
  /** A document SigningHub refuses for good (403, 404): the package is FAILED with the reason. */
  readonly finalFaultRate: number;
}

export interface PlannedDocument {
  readonly documentId: number;
  readonly name: string;
  readonly bytes: number;
}

export type ArchiveFault = '503' | 'stall' | 'cut' | 'resume' | '403' | '404';

/** A fault scripted on one document of a package. */
export interface PlannedFault {
  readonly kind: ArchiveFault;
  readonly documentId: number;
  readonly scripts: readonly DocumentScript[];
}

export interface ArchivePlan {
  /** Every workload package's documents, as its workflow details list them. */
  readonly documents: ReadonlyMap<PackageRef, readonly PlannedDocument[]>;
  /** `package_owner` where it is not the enterprise's own user: a signer, or none (null). */
  readonly owners: ReadonlyMap<PackageRef, string | null>;
  readonly faults: ReadonlyMap<PackageRef, PlannedFault>;
}

const KIB = 1024;
const MIB = 1024 * KIB;
/** lib-storage's part size: a document above it goes up as a multipart upload. */
export const MULTIPART_BYTES = 5 * MIB;

/** Mostly small, some of a few MiB, a few over the multipart threshold. */
const documentBytes = (random: Random, large: boolean): number => {
  if (large) return MULTIPART_BYTES + random.int(1, 3 * MIB);
  return random.chance(0.85) ? random.int(4 * KIB, 200 * KIB) : random.int(200 * KIB, 2 * MIB);
};

/** Names as signers give them: spaces, accents, other scripts (the metadata is percent-encoded). */
const NAMES = [
  (n: number) => `Contract ${n}.pdf`,
  (n: number) => `Contrat signé n°${n}.pdf`,
  (n: number) => `契約書-${n}.pdf`,
  (n: number) => `Offer #${n} (final, signed).pdf`,
];

const FINAL_ANSWERS: Readonly<Record<'403' | '404', DocumentScript>> = {
  '403': { status: 403, body: { Error: 'Forbidden', Message: 'Document does not belong to user' } },
  '404': { status: 404, body: { Message: 'Document not found' } },
};

/** What SigningHub answers for a fault; `stallMs` past the function's timeout for SigningHub. */
const scriptsFor = (
  kind: ArchiveFault,
  document: PlannedDocument,
  random: Random,
  signingHubTimeoutMs: number,
): DocumentScript[] => {
  const unavailable: DocumentScript = { status: 503, body: { Message: 'Service Unavailable' } };
  switch (kind) {
    case '503':
      return Array.from({ length: random.int(1, 2) }, () => unavailable);
    case 'stall':
      return [
        {
          stallAfterBytes: random.int(1, document.bytes - 1),
          stallMs: signingHubTimeoutMs * 3,
        },
      ];
    case 'cut':
      return [{ cutAfterBytes: random.int(1, document.bytes - 1) }];
    case 'resume':
      // Four tries in an invocation (the retry policy's): the fourth 503 hands it back.
      return Array.from({ length: 4 }, () => unavailable);
    case '403':
    case '404':
      return [FINAL_ANSWERS[kind]];
  }
};

/**
 * Documents, owners and faults for every package of the workload, from their own seed (the
 * workload's draws stay as they were). The faults go to packages that meet no other fault (no
 * finish or workflow script, no decline or deletion), each kind at least once in a run, one per
 * package; a resume only to a package of two documents or more.
 */
export const planArchive = (
  workload: Workload,
  options: ArchiveSoakOptions,
  signingHubTimeoutMs: number,
  random: Random,
): ArchivePlan => {
  const documents = new Map<PackageRef, PlannedDocument[]>();
  const owners = new Map<PackageRef, string | null>();
  for (const { ref, packageId, signers } of workload.packages) {
    const count = random.chance(0.45) ? 1 : random.chance(0.64) ? 2 : 3;
    const name = random.pick(NAMES);
    documents.set(
      ref,
      Array.from({ length: count }, (_, i) => ({
        documentId: packageId * 10 + i + 1,
        name: name(i + 1),
        bytes: documentBytes(random, random.chance(options.largeDocumentRate)),
      })),
    );
    const roll = random.next();
    // An owner among the signers, in another case than SigningHub lists it; or no owner at all.
    if (roll < 0.2) owners.set(ref, random.pick(signers).toUpperCase());
    else if (roll < 0.3) owners.set(ref, null);
  }

  const touched = new Set<PackageRef>([
    ...workload.finishScripts.keys(),
    ...workload.workflowScripts.keys(),
    ...workload.lateAnswers.keys(),
    ...workload.faults.outagePackages,
  ]);
  for (const action of workload.actions) {
    if (action.kind === 'decline' || action.kind === 'delete') {
      touched.add(`${action.tenant}/${action.packageId}`);
    }
  }
  // Nor the tenant whose host goes down: its events may dead-letter during the outage, and a
  // package that never completes never asks for the document its fault is scripted on.
  const down = workload.tenantOutage?.tenant;
  const quiet = random.shuffle(
    workload.packages
      .map(({ ref }) => ref)
      .filter((r) => !touched.has(r) && parsePackageRef(r).tenant !== down),
  );
  // At least one multipart upload in every run.
  const first = quiet[0] === undefined ? undefined : documents.get(quiet[0]);
  const head = first?.[0];
  if (first && head && !first.some(({ bytes }) => bytes > MULTIPART_BYTES)) {
    first[0] = { ...head, bytes: MULTIPART_BYTES + 123_457 };
  }

  const faults = new Map<PackageRef, PlannedFault>();
  const wanted: [ArchiveFault, number][] = [
    ['resume', options.resumeRate],
    ['503', options.unavailableRate],
    ['stall', options.stallRate],
    ['cut', options.cutRate],
    ['403', options.finalFaultRate / 2],
    ['404', options.finalFaultRate / 2],
  ];
  let next = 1;
  for (const [kind, rate] of wanted) {
    if (rate <= 0) continue;
    const count = Math.max(1, Math.round(rate * workload.packages.length));
    for (let placed = 0; placed < count && next < quiet.length; next += 1) {
      const ref = quiet[next] as PackageRef;
      const list = documents.get(ref) ?? [];
      if (kind === 'resume' && list.length < 2) continue;
      const document = kind === 'resume' ? list[list.length - 1] : random.pick(list);
      if (!document) continue;
      const scripts = scriptsFor(kind, document, random, signingHubTimeoutMs);
      faults.set(ref, { kind, documentId: document.documentId, scripts });
      placed += 1;
    }
  }
  return { documents, owners, faults };
};

/** Gives each package its documents, owner and scripted document answers at the simulator. */
export const applyArchivePlan = (simulator: SigningHubSimulator, plan: ArchivePlan): void => {
  for (const [ref, documents] of plan.documents) {
    const { tenant, packageId } = parsePackageRef(ref);
    const host = simulator.enterprise(tenant);
    host.setDocuments(packageId, [...documents]);
    const owner = plan.owners.get(ref);
    if (owner !== undefined) host.setPackageOwner(packageId, owner);
  }
  for (const [ref, fault] of plan.faults) {
    const { tenant, packageId } = parsePackageRef(ref);
    simulator.enterprise(tenant).scriptDocument(packageId, fault.documentId, ...fault.scripts);
  }
};

/** The owner the archive must read a package's documents as: a lower-case email, or '' (none). */
export const expectedScope = (
  plan: ArchivePlan,
  ref: PackageRef,
  accountUser: (tenant: string) => string,
): string => {
  const owner = plan.owners.has(ref)
    ? plan.owners.get(ref)
    : accountUser(parsePackageRef(ref).tenant);
  return (owner ?? '').toLowerCase();
};
