import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../harness/dynamodb-local.ts';
import {
  type EventBridgeEmulator,
  startEventBridgeEmulator,
} from '../../harness/eventbridge-emulator.ts';
import { functionEnvironment } from '../../harness/function-env.ts';
import { localAws } from '../../harness/local-aws.ts';
import { type S3StandIn, startS3StandIn } from '../../harness/s3-stand-in.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { EnterpriseOptions, SigningHubSimulator } from '../../harness/simulator/types.ts';
import { createTable } from '../../harness/table.ts';
import { type KeyPair, makeTestCertificates } from '../../harness/test-certificates.ts';
import type { SigningHubAccess } from '../../lib/signinghub/access.ts';
import { startMotoSecrets } from '../support/moto-secrets.ts';
import { type ArchivePlan, applyArchivePlan } from './archive-workload.ts';
import type { Cleanups } from './cleanups.ts';
import type { SoakOptions } from './soak-options.ts';
import { DEFAULT_TENANT, parsePackageRef, type TenantAccount } from './tenant-mix.ts';
import type { Workload } from './workload.ts';

export interface SoakStackOptions {
  readonly options: SoakOptions;
  readonly workload: Workload;
  /** Each package's documents, owner and document faults. */
  readonly archivePlan: ArchivePlan;
  /** Every tenant's, the default one's included. */
  readonly accounts: readonly TenantAccount[];
  /** SIGNING_EVENTS_QUEUE_URL: where the finish function hands an open circuit's messages back. */
  readonly queueUrl: string;
  /** Everything started is registered here, to be stopped when the run ends. */
  readonly cleanups: Cleanups;
}

/** The services the soak's functions run against, with the table made and the workload scripted. */
export interface SoakStack {
  readonly tableName: string;
  /** DynamoDB Local's endpoint, the same across restarts. */
  readonly dynamoDbEndpoint: string;
  readonly client: DynamoDBClient;
  /** One simulator, an enterprise per tenant; HTTPS for the one behind a client certificate. */
  readonly simulator: SigningHubSimulator;
  readonly eventBridge: EventBridgeEmulator;
  /** The archive bucket's S3: the counting stand-in, each object's size and SHA-256 only. */
  readonly s3: S3StandIn;
  /** How many times each key was stored (PutObject or a completed multipart upload). */
  readonly stores: ReadonlyMap<string, number>;
  /** Each tenant's SigningHub as its settings name it (the final reconcile reaches them so). */
  readonly access: ReadonlyMap<string, SigningHubAccess>;
  /** The client certificates' keys, PEM: secrets the logs must never show. */
  readonly clientKeys: readonly string[];
  /** Stops DynamoDB Local, says so through `stopped`, and starts it again on its files and port. */
  restartDynamoDb(stopped: () => void): Promise<void>;
}

/** Sets variables for the run and puts the old values back afterwards. */
const setEnvironment = (variables: Record<string, string>): (() => void) => {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables)) {
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
};

const dbDirectory = async (wanted: string | undefined): Promise<string> => {
  if (wanted !== undefined) return wanted;
  try {
    await access('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
};

/** Comes before the handlers are loaded: they read the environment set here when imported. */
const TENANTS_PREFIX = 'soak/tenants/';
export const SOAK_BUS = 'soak-completions';
export const SOAK_ARCHIVE_BUCKET = 'soak-signed-documents';
/** The stand-in's log line for an object stored: `PutObject <bucket>/<key> → 200 (…)`. */
const STORED = /^(?:PutObject|CompleteMultipartUpload) [^/]+\/(\S+) → 200\b/;

/** An enterprise for each tenant but the default: its credentials, its grant, its certificate. */
const enterprisesOf = (accounts: readonly TenantAccount[]): Record<string, EnterpriseOptions> =>
  Object.fromEntries(
    accounts
      .filter(({ spec }) => spec.name !== DEFAULT_TENANT)
      .map(({ spec, credentials }) => [
        spec.name,
        {
          credentials,
          grants: [spec.grant],
          autoCreatePackages: false,
          ...(spec.clientCertificate ? { clientCertificate: { commonName: spec.name } } : {}),
        },
      ]),
  );

/** A tenant's access: over HTTPS with its client certificate and the run's CA, or over HTTP. */
const accessOf = (
  { spec, credentials }: TenantAccount,
  simulator: SigningHubSimulator,
  tls: { readonly ca: KeyPair; readonly clients: ReadonlyMap<string, KeyPair> },
): SigningHubAccess => {
  const enterprise = simulator.enterprise(spec.name);
  const client = tls.clients.get(spec.name);
  const { clientId, clientSecret, username, password } = credentials;
  return {
    tenant: spec.name,
    baseUrl: (client ? enterprise.httpsUrl : undefined) ?? enterprise.url,
    apiVersion: 'v3',
    grant:
      spec.grant === 'password'
        ? { type: 'password', clientId, clientSecret, username, password }
        : { type: 'client_credentials', clientId, clientSecret },
    tls: client ? { certificate: client.cert, key: client.key, ca: tls.ca.cert } : undefined,
  };
};

/** A tenant's secret as an operator would write it (the keys of TENANTS_SECRET_PREFIX<tenant>). */
const tenantSecret = (access: SigningHubAccess, callbackSecret: string): string => {
  const { grant, tls } = access;
  return JSON.stringify({
    base_url: access.baseUrl,
    grant_type: grant.type,
    client_id: grant.clientId,
    client_secret: grant.clientSecret,
    ...(grant.type === 'password' ? { username: grant.username, password: grant.password } : {}),
    callback_secret: callbackSecret,
    ...(tls
      ? { client_certificate: tls.certificate, client_key: tls.key, ca_certificate: tls.ca }
      : {}),
  });
};

export const startSoakStack = async ({
  options,
  workload,
  archivePlan,
  accounts,
  queueUrl,
  cleanups,
}: SoakStackOptions): Promise<SoakStack> => {
  const tableName = `soak-${options.seed}`;
  const dbPath = await mkdtemp(join(await dbDirectory(options.dbDir), 'signinghub-soak-'));
  cleanups.add(() => rm(dbPath, { recursive: true, force: true }));
  let dynamoDb: DynamoDbLocal = await startDynamoDbLocal({ dbPath });
  cleanups.add(() => dynamoDb.stop());
  const fallback = accounts.find(({ spec }) => spec.name === DEFAULT_TENANT);
  if (!fallback) throw new Error('the soak needs the default tenant');
  const certificates = await makeTestCertificates();
  const clients = new Map<string, KeyPair>();
  for (const { spec } of accounts) {
    // A year: a certificate ending within 30 days is warned of, and this one is not meant to be.
    if (spec.clientCertificate) clients.set(spec.name, await certificates.client(spec.name, 365));
  }
  const simulator = await startSimulator({
    credentials: fallback.credentials,
    grants: [fallback.spec.grant],
    autoCreatePackages: false,
    tls: {
      cert: certificates.server.cert,
      key: certificates.server.key,
      clientCa: certificates.ca.cert,
    },
    enterprises: enterprisesOf(accounts),
  });
  cleanups.add(() => simulator.close());
  const eventBridge = await startEventBridgeEmulator();
  cleanups.add(() => eventBridge.close());
  const secrets = await startMotoSecrets();
  cleanups.add(() => secrets.stop());
  const stores = new Map<string, number>();
  const s3 = await startS3StandIn({
    buckets: [SOAK_ARCHIVE_BUCKET],
    storage: 'count',
    log: (line) => {
      const key = STORED.exec(line)?.[1];
      if (key !== undefined) stores.set(key, (stores.get(key) ?? 0) + 1);
    },
  });
  cleanups.add(() => s3.close());
  const access = new Map(
    accounts.map((account) => [
      account.spec.name,
      accessOf(account, simulator, { ca: certificates.ca, clients }),
    ]),
  );
  for (const { spec, callbackSecret } of accounts) {
    const settings = access.get(spec.name);
    if (spec.name === DEFAULT_TENANT || !settings) continue;
    await secrets.create(`${TENANTS_PREFIX}${spec.name}`, tenantSecret(settings, callbackSecret));
  }

  cleanups.add(
    setEnvironment({
      ...localAws('us-east-1').missingFrom(process.env),
      ...functionEnvironment({
        tableName,
        dynamoDbEndpoint: dynamoDb.endpoint,
        signingHubUrl: simulator.url,
        credentials: fallback.credentials,
        signingHubTimeoutMs: options.signingHubTimeoutMs,
        callbackSecret: fallback.callbackSecret,
        eventBusName: SOAK_BUS,
        eventBridgeEndpoint: eventBridge.url,
        archiveBucket: SOAK_ARCHIVE_BUCKET,
        s3Endpoint: s3.endpoint,
        reconcileAfterSeconds: options.reconcileAfterSeconds,
        logLevel: 'DEBUG',
      }),
      TENANTS_SECRET_PREFIX: TENANTS_PREFIX,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      SIGNING_EVENTS_QUEUE_URL: queueUrl,
      AWS_ENDPOINT_URL_SQS: new URL(queueUrl).origin,
    }),
  );
  const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint });
  cleanups.add(() => client.destroy());
  await createTable(client, tableName);

  for (const { tenant, packageId, signers } of workload.packages) {
    simulator.enterprise(tenant).createPackage(packageId, [...signers]);
  }
  for (const [ref, responses] of workload.finishScripts) {
    const { tenant, packageId } = parsePackageRef(ref);
    simulator.enterprise(tenant).script(packageId, 'finish', ...responses);
  }
  for (const [ref, responses] of workload.workflowScripts) {
    const { tenant, packageId } = parsePackageRef(ref);
    simulator.enterprise(tenant).script(packageId, 'workflow', ...responses);
  }
  applyArchivePlan(simulator, archivePlan);

  return {
    tableName,
    dynamoDbEndpoint: dynamoDb.endpoint,
    client,
    simulator,
    eventBridge,
    s3,
    stores,
    access,
    clientKeys: [...clients.values()].map(({ key }) => key),
    restartDynamoDb: async (stopped) => {
      await dynamoDb.stop();
      stopped();
      dynamoDb = await startDynamoDbLocal({ dbPath, port: dynamoDb.port });
    },
  };
};
