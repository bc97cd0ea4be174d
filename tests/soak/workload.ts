import type { ScriptedResponse } from '../../harness/simulator/types.ts';
import { MALFORMED_EVENT_BODIES, soakEventBody } from '../support/soak-factories.ts';
import { type ChaosAction, planChaos } from './chaos-plan.ts';
import {
  finalResponse,
  TRANSIENT,
  transientResponse,
  weighted,
  workflowResponse,
} from './fault-responses.ts';
import type { Random } from './random.ts';
import {
  DEFAULT_TENANT,
  type PackageRef,
  packageRef,
  SOAK_TENANTS,
  type TenantSpec,
  UNKNOWN_TENANT,
} from './tenant-mix.ts';

export interface WorkloadOptions {
  readonly events: number;
  /** Defaults to events / 5; fewer when the events could not give each signer one. */
  readonly packages?: number | undefined;
  /** Exact copies of an event, sent again under a new message id. */
  readonly duplicateRate: number;
  /** Of the duplicates, the share delivered to two function instances at the same moment. */
  readonly concurrentDuplicateShare: number;
  readonly malformedRate: number;
  /** Per distinct event: a transient fault scripted on its package's finish. */
  readonly transientFaultRate: number;
  /** Per distinct event: a final fault (403 access period, 404) scripted on its package. */
  readonly finalFaultRate: number;
  /** Packages for which SigningHub stays down until their events are dead-lettered. */
  readonly outagePackages: number;
  /** Per package: its workflow details fail once or twice (callbacks then wait for the reconciler). */
  readonly workflowFaultRate: number;
  readonly declineRate: number;
  readonly deleteRate: number;
  /** Per package: a callback before (or while) its signers finish, claiming COMPLETED. */
  readonly prematureCallbackRate: number;
  readonly hostileCallbacks: number;
  readonly tokenRevocations: readonly number[];
  /** When (as a share of settled messages) DynamoDB Local is stopped and started again. */
  readonly restartDynamoDbAt: number | undefined;
  readonly eventBridgeRefusals: readonly number[];
  /** The enterprises; the packages are dealt among them in turn. */
  readonly tenants?: readonly TenantSpec[] | undefined;
  /** One tenant's host down for a stretch of the run (dropped connections, then 503), then up. */
  readonly tenantOutage?: TenantOutage | undefined;
  /** Events naming a tenant that has no settings: handed back until they dead-letter. */
  readonly unknownTenantEvents?: number | undefined;
  /**
   * Packages answered late at least (the transient faults may place fewer): the extra ones go to
   * packages with no scripted finish fault and no deletion, so a 200 surely comes to be held.
   */
  readonly lateAnswersAtLeast?: number | undefined;
}

export interface TenantOutage {
  readonly tenant: string;
  /** When (as a share of settled messages) the host goes down. */
  readonly at: number;
  /** How long it stays down: the first half dropping every connection, the second answering 503. */
  readonly forMs: number;
}

export interface FinishKey {
  readonly tenant: string;
  readonly packageId: number;
  /** Lower case; undefined when the account finishes for itself. */
  readonly signer: string | undefined;
}

/** `<tenant>/<packageId>|<signer or ->`: what the invariants key finishes by. */
export const keyId = ({ tenant, packageId, signer }: FinishKey): string =>
  `${packageRef(tenant, packageId)}|${signer ?? '-'}`;

export type MessageKind = 'event' | 'duplicate' | 'malformed' | 'unknown-tenant';

export interface WorkloadMessage {
  readonly messageId: string;
  readonly body: string;
  readonly kind: MessageKind;
  /** The tenant it names (default for a malformed one, UNKNOWN_TENANT for the unknown tenant's). */
  readonly tenant: string;
  /** The finish key; undefined for a malformed message or one of the unknown tenant's. */
  readonly key: string | undefined;
  /** The other half of a concurrent pair. */
  readonly partner: string | undefined;
}

export interface WorkloadPackage {
  readonly tenant: string;
  readonly packageId: number;
  readonly ref: PackageRef;
  /** As SigningHub lists them (lower case). */
  readonly signers: readonly string[];
}

/**
 * `hang`: SigningHub never answers (and does nothing). `late`: SigningHub finishes the package
 * but its answer comes after the function's timeout, so the function cannot tell it from a hang.
 */
export type TransientFault = '500' | '503' | '429' | '429-long' | 'hang' | 'late' | 'drop';
export type FinalFault = '403' | '404';
export type WorkflowFault = '500' | '503' | 'hang' | 'drop';

export interface Workload {
  readonly tenants: readonly TenantSpec[];
  readonly packages: readonly WorkloadPackage[];
  readonly keys: ReadonlyMap<string, FinishKey>;
  readonly messages: readonly WorkloadMessage[];
  readonly finishScripts: ReadonlyMap<PackageRef, readonly ScriptedResponse[]>;
  /** Per package: how many of its successful finishes are answered after the timeout. */
  readonly lateAnswers: ReadonlyMap<PackageRef, number>;
  readonly workflowScripts: ReadonlyMap<PackageRef, readonly ScriptedResponse[]>;
  readonly tenantOutage: TenantOutage | undefined;
  readonly faults: {
    readonly transient: Readonly<Record<TransientFault, number>>;
    readonly final: Readonly<Record<FinalFault, number>>;
    readonly workflow: Readonly<Record<WorkflowFault, number>>;
    readonly outagePackages: readonly PackageRef[];
    readonly outageResponses: number;
  };
  /** In the order they fire. */
  readonly actions: readonly ChaosAction[];
}

const FIRST_PACKAGE_ID = 100_001;
const OUTAGE_RESPONSES_PER_PACKAGE = 150;

const counter = <K extends string>(names: readonly K[]): Record<K, number> =>
  Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;

/** The whole run decided up front from the seed: events, faults and the chaos timeline. */
export const createWorkload = (options: WorkloadOptions, random: Random): Workload => {
  const duplicates = Math.round(options.events * options.duplicateRate);
  const malformed = Math.round(options.events * options.malformedRate);
  const distinct = options.events - duplicates - malformed;
  // Every key needs one event at least, and a package has about three keys.
  const packageCount = Math.max(
    1,
    Math.min(options.packages ?? Math.round(options.events / 5), Math.floor(distinct / 3.1)),
  );

  const tenants = options.tenants ?? SOAK_TENANTS;
  // Some signers sign for several enterprises, others for one: a finish sent to the wrong
  // tenant's host would name a signer that tenant may not even have.
  const shared = Array.from(
    { length: Math.max(8, Math.round(packageCount / 4)) },
    (_, i) => `signer-${i + 1}@${random.pick(['example.com', 'example.org', 'corp.example'])}`,
  );
  const own = new Map(
    tenants.map(({ name }) => [
      name,
      Array.from(
        { length: Math.max(4, Math.round(packageCount / (2 * tenants.length))) },
        (_, i) => `signer-${i + 1}@${name}.example`,
      ),
    ]),
  );
  const packages: WorkloadPackage[] = [];
  const keys = new Map<string, FinishKey>();
  for (let i = 0; i < packageCount; i += 1) {
    // Dealt in turn: every tenant has the same package ids, 100001 upwards.
    const tenant = tenants[i % tenants.length]?.name ?? DEFAULT_TENANT;
    const packageId = FIRST_PACKAGE_ID + Math.floor(i / tenants.length);
    const people = [...shared, ...(own.get(tenant) ?? [])];
    const signers = new Set<string>();
    const wanted = random.int(2, 4);
    while (signers.size < wanted) signers.add(random.pick(people));
    packages.push({ tenant, packageId, ref: packageRef(tenant, packageId), signers: [...signers] });
    for (const signer of signers) {
      const key = { tenant, packageId, signer };
      keys.set(keyId(key), key);
    }
    // Now and then the account itself finishes (an event without a signer).
    if (random.chance(0.02)) {
      const key = { tenant, packageId, signer: undefined };
      keys.set(keyId(key), key);
    }
  }
  // Answers held past the timeout are made by the fetch the soak watches; a tenant behind a
  // client certificate is reached over node:https, where the soak sees but cannot hold answers.
  // Nor the tenant whose host goes down: a package of its with a hang before the late answer can
  // see all its events dead-lettered during the outage, and then no 200 ever comes to be held.
  const holdable = new Set(
    tenants
      .filter(
        ({ name, clientCertificate }) =>
          !clientCertificate && name !== options.tenantOutage?.tenant,
      )
      .map(({ name }) => name),
  );

  // One event per key, then further documents signed by the same signers.
  const keyList = [...keys.values()];
  const eventKeys = [...keyList];
  while (eventKeys.length < distinct) eventKeys.push(random.pick(keyList));
  random.shuffle(eventKeys);

  const messages: WorkloadMessage[] = [];
  const finishScripts = new Map<PackageRef, ScriptedResponse[]>();
  const script = (ref: PackageRef, response: ScriptedResponse, first = false) => {
    const queue = finishScripts.get(ref) ?? [];
    if (first) queue.unshift(response);
    else queue.push(response);
    finishScripts.set(ref, queue);
  };
  const transient = counter<TransientFault>([
    '500',
    '503',
    '429',
    '429-long',
    'hang',
    'late',
    'drop',
  ]);
  const lateAnswers = new Map<PackageRef, number>();
  const final = counter<FinalFault>(['403', '404']);

  for (const key of eventKeys) {
    const ref = packageRef(key.tenant, key.packageId);
    const signer =
      key.signer === undefined
        ? undefined
        : random.chance(0.1)
          ? ` ${key.signer.toUpperCase()} `
          : key.signer;
    messages.push({
      messageId: random.id('msg'),
      body: soakEventBody({
        // The default tenant's events mostly name none, as before tenants; some name it.
        tenant:
          key.tenant !== DEFAULT_TENANT ? key.tenant : random.chance(0.2) ? key.tenant : undefined,
        packageId: key.packageId,
        signerEmail: signer,
        eventId: random.id('evt'),
        idAsString: random.chance(0.3),
        envelope: random.chance(0.2),
      }),
      kind: 'event',
      tenant: key.tenant,
      key: keyId(key),
      partner: undefined,
    });
    if (random.chance(options.transientFaultRate)) {
      const fault = weighted(
        random,
        holdable.has(key.tenant) ? TRANSIENT : TRANSIENT.filter(([name]) => name !== 'late'),
      );
      transient[fault] += 1;
      if (fault === 'late') {
        lateAnswers.set(ref, (lateAnswers.get(ref) ?? 0) + 1);
      } else {
        script(ref, transientResponse(fault));
      }
    }
    if (random.chance(options.finalFaultRate)) {
      const fault = random.pick<FinalFault>(['403', '404']);
      final[fault] += 1;
      script(ref, finalResponse(fault));
    }
  }

  const outagePackages = random
    .shuffle(packages.map(({ ref }) => ref))
    .slice(0, options.outagePackages);
  for (const ref of outagePackages) {
    for (let i = 0; i < OUTAGE_RESPONSES_PER_PACKAGE; i += 1) {
      script(ref, { status: 503, body: { Message: 'Service Unavailable' } }, true);
    }
  }

  const originals = [...messages];
  const partners = new Map<string, string>();
  for (let i = 0; i < duplicates; i += 1) {
    const original = random.pick(originals);
    const messageId = random.id('dup');
    messages.push({
      messageId,
      body: original.body,
      kind: 'duplicate',
      tenant: original.tenant,
      key: original.key,
      partner: undefined,
    });
    if (!partners.has(original.messageId) && random.chance(options.concurrentDuplicateShare)) {
      partners.set(original.messageId, messageId);
      partners.set(messageId, original.messageId);
    }
  }
  for (let i = 0; i < malformed; i += 1) {
    const makeBody = random.pick(MALFORMED_EVENT_BODIES);
    messages.push({
      messageId: random.id('bad'),
      body: makeBody(random.pick(packages).packageId),
      kind: 'malformed',
      tenant: DEFAULT_TENANT,
      key: undefined,
      partner: undefined,
    });
  }
  for (let i = 0; i < (options.unknownTenantEvents ?? 0); i += 1) {
    const { packageId, signers } = random.pick(packages);
    messages.push({
      messageId: random.id('ghost'),
      body: soakEventBody({
        tenant: UNKNOWN_TENANT,
        packageId,
        signerEmail: random.pick(signers),
        eventId: random.id('evt'),
        idAsString: false,
        envelope: false,
      }),
      kind: 'unknown-tenant',
      tenant: UNKNOWN_TENANT,
      key: undefined,
      partner: undefined,
    });
  }
  random.shuffle(messages);

  // A concurrent pair goes on the queue together, where its first half would have been.
  const byId = new Map(messages.map((message) => [message.messageId, message]));
  const placed = new Set<string>();
  const finalMessages: WorkloadMessage[] = [];
  for (const message of messages) {
    if (placed.has(message.messageId)) continue;
    placed.add(message.messageId);
    const partnerId = partners.get(message.messageId);
    const partner = partnerId === undefined ? undefined : byId.get(partnerId);
    if (!partner) {
      finalMessages.push(message);
      continue;
    }
    placed.add(partner.messageId);
    finalMessages.push(
      { ...message, partner: partner.messageId },
      { ...partner, partner: message.messageId },
    );
  }

  const workflowScripts = new Map<PackageRef, ScriptedResponse[]>();
  const workflow = counter<WorkflowFault>(['500', '503', 'hang', 'drop']);
  for (const { ref } of packages) {
    if (!random.chance(options.workflowFaultRate)) continue;
    const responses = Array.from({ length: random.int(1, 2) }, () => {
      const fault = random.pick<WorkflowFault>(['500', '503', 'hang', 'drop']);
      workflow[fault] += 1;
      return workflowResponse(fault);
    });
    workflowScripts.set(ref, responses);
  }

  const actions = planChaos(options, packages, random);

  // Topped up without the random source, so every other decision of the seed stays as it was.
  const deleted = new Set(
    actions.flatMap((action) =>
      action.kind === 'delete' ? [packageRef(action.tenant, action.packageId)] : [],
    ),
  );
  const outage = new Set(outagePackages);
  for (const { tenant, ref } of packages) {
    if (lateAnswers.size >= (options.lateAnswersAtLeast ?? 0)) break;
    if (!holdable.has(tenant) || lateAnswers.has(ref) || finishScripts.has(ref)) continue;
    if (deleted.has(ref) || outage.has(ref)) continue;
    lateAnswers.set(ref, 1);
    transient.late += 1;
  }

  return {
    tenants,
    packages,
    keys,
    messages: finalMessages,
    finishScripts,
    lateAnswers,
    workflowScripts,
    tenantOutage: options.tenantOutage,
    faults: {
      transient,
      final,
      workflow,
      outagePackages,
      outageResponses: outagePackages.length * OUTAGE_RESPONSES_PER_PACKAGE,
    },
    actions,
  };
};
