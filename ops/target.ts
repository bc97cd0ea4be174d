import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ArchiveRequest } from '../lib/archive/archive-request.ts';
import { type Environment, loadReconcileConfig, type ReconcileConfig } from '../lib/config.ts';
import { isConfigError } from '../lib/errors.ts';
import { silentLog } from '../lib/logger.ts';
import { NO_METRICS } from '../lib/metrics.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import type { WorkflowPort } from '../lib/signinghub/ports.ts';
import type { DynamoDbTable } from '../lib/store/dynamodb-table.ts';
import type { PackageStore } from '../lib/store/ports.ts';
import { type OpenedTenant, TenantDirectory } from '../lib/tenants/tenant-directory.ts';
import type { ScanPage, ScanPageRequest } from './archive-scan.ts';
import type { Target } from './operator-target.ts';
import type { ReportSource } from './package-report.ts';
import type { RedrivePort } from './redrive-port.ts';
import { UserError } from './user-error.ts';

/** What a JSON answer says of where it acted. */
export interface TargetAbout {
  readonly stage: string;
  readonly region: string;
  /** The CloudFormation stack; the local stack has none. */
  readonly stackName: string | undefined;
  readonly tableName: string;
}

/** The queues a redrive serves: the signing events' (finish's), or the archive requests'. */
export type QueueName = 'signing-events' | 'archive';

/** A queue, and the one its messages are dead-lettered to. */
export interface RedriveQueues {
  readonly port: RedrivePort;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
}

/** EventBridge, and the bus the publish function sends completion events to. */
export interface CompletionBus {
  readonly eventBridge: EventBridgeClient;
  /** The publish function's EVENT_BUS_NAME; undefined: it sends no completion events. */
  readonly busName: string | undefined;
}

/** What became of one archive request sent: its message (or event) id, or why it was refused. */
export type SendOutcome =
  | { readonly ok: true; readonly id: string }
  | {
      readonly ok: false;
      readonly reason: string;
      /** Sending it again may work (throttling, a fault of the service's own). */
      readonly retryable: boolean;
    };

/**
 * Where archive requests go: a stage's ArchiveQueue (its deployed function does the work), or the
 * local stack's EventBridge emulator (npm start hands them to its archive function).
 */
export interface ArchiveRequests {
  /** How the lines name it: "ArchiveQueue signinghub-finish-prod-ArchiveQueue". */
  readonly destination: string;
  /** Sends at most 10 requests in one call: what became of each, in the same order. */
  send(requests: readonly ArchiveRequest[]): Promise<readonly SendOutcome[]>;
}

/**
 * Where an operator command acts, resolved once (a deployed stage from its stack and its
 * functions' settings, or the local stack from what npm start published), as lib/'s own adapters.
 * What differs between the two is said here, so each command has one way through.
 */
export interface OperatorTarget {
  /** How the lines name it: "stage prod in eu-west-1", "the local stack". */
  readonly where: string;
  readonly about: TargetAbout;
  /** A tenant's package items, through lib's store. */
  packages(tenant: string): Pick<PackageStore, 'getPackage' | 'recordConfirmation'>;
  /** The table itself: republish reads a package item as the stream shows it to publish. */
  readonly table: Pick<DynamoDbTable, 'get'>;
  /** What npm run status reads, and what the target keeps besides the table. */
  readonly reports: ReportSource;
  /** What to do about a package the table lacks, or an empty list of packages. */
  readonly hints: {
    unknownPackage(packageId: number, tenant: string): string;
    readonly noPackages: string;
  };
  completionBus(): Promise<CompletionBus>;
  /**
   * A tenant's SigningHub as the reconcile function reaches it, with that function's settings (a
   * tenant other than `default` through its secret under TENANTS_SECRET_PREFIX); a UserError naming
   * the tenant and why where it cannot.
   */
  signingHub(tenant: string): Promise<WorkflowPort>;
  /** A queue and its dead-letter queue; a UserError saying why where there are none. */
  queues(queue: QueueName): RedriveQueues;
  /** Where archive requests go; a UserError saying why where the archive is off. */
  archiveRequests(): ArchiveRequests;
  /** One page of a Scan of the table's COMPLETED package items not yet ARCHIVED. */
  scanUnarchived(request: ScanPageRequest): Promise<ScanPage>;
}

/** What a command needs of a target, checked before anything is opened. */
export interface TargetNeeds {
  /** The signing events' queues. */
  readonly queues?: boolean;
  /** The archive's queues. */
  readonly archiveQueues?: boolean;
}

/** Resolves the target once, runs `work` on it, and closes what it opened. */
export type TargetOpener = <T>(
  target: Target,
  work: (opened: OperatorTarget) => Promise<T>,
  needs?: TargetNeeds,
) => Promise<T>;

export const NO_LOCAL_QUEUES =
  'the local stack has no dead-letter queue: npm start hands each signing event straight to ' +
  "finish (npm run event), so none is dead-lettered; add --stage <stage> to redrive a deployed stage's";

export const NO_LOCAL_ARCHIVE_QUEUES =
  'the local stack has no ArchiveDeadLetterQueue: npm start keeps an archive request it gave up ' +
  'on in archive-dead-letters.jsonl in its folder (.local unless LOCAL_DIR says otherwise); once ' +
  'the cause is fixed, npm run archive -- <packageId> asks again; add --stage <stage> to redrive ' +
  "a deployed stage's";

/** What to do about a tenant the directory could not open, by why. */
const TENANT_ADVICE: Readonly<Record<Exclude<OpenedTenant, { ok: true }>['reason'], string>> = {
  unknown: 'check --tenant, and that the tenant has its secret',
  invalid: "fix the tenant's secret and run it again",
  unreadable: "check that you may read the tenant's secret, and run it again",
  throttled: 'run it again in a minute',
};

/**
 * A tenant's SigningHub with the reconcile function's settings: `default` from its environment, any
 * other through its secret `<TENANTS_SECRET_PREFIX><tenant>`, read with `secretsManager` (the
 * operator's). Where it cannot: one line naming the tenant and why (never a secret's value).
 */
export const tenantSigningHub = async (
  config: ReconcileConfig,
  secretsManager: () => SecretsManagerClient,
  tenant: string,
): Promise<WorkflowPort> => {
  const directory = new TenantDirectory({
    prefix: config.tenantsSecretPrefix,
    secretsManager,
    maxAgeSeconds: config.signingHub.secretMaxAgeSeconds,
    timeoutMs: config.signingHub.timeoutMs,
    metrics: NO_METRICS,
    log: silentLog,
    defaultTenant: { signingHub: signingHubClientFrom(config.signingHub, secretsManager) },
  });
  const opened = await directory.open(tenant);
  if (opened.ok) return opened.signingHub;
  throw new UserError(
    `cannot reach the SigningHub of tenant ${tenant} (${opened.reason}): ${opened.message}; ` +
      TENANT_ADVICE[opened.reason],
  );
};

/** The settings the reconcile function runs with; a bad one is the user's to fix. */
export const reconcileConfig = (environment: Environment, whose: string): ReconcileConfig => {
  try {
    return loadReconcileConfig(environment);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    throw new UserError(`${whose} has a bad setting: ${error.message}; fix it and try again`);
  }
};
