import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { functionEnvironment } from '../harness/function-env.ts';
import { localAws } from '../harness/local-aws.ts';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../harness/simulator/signinghub-simulator.ts';
import type { CallbackMode } from '../harness/simulator/types.ts';
import { type Environment, loadCallbackConfig, type SigningHubCredentials } from '../lib/config.ts';
import { isConfigError } from '../lib/errors.ts';
import { SERVICE } from '../ops/operator-target.ts';
import { localDir, REPO_DIR } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import { readEnvFile } from './env-file.ts';
import { type LocalTenant, localTenants, TENANTS_SECRET_PREFIX } from './local-tenants.ts';

export const STAGE = 'local';
/** serverless.yml's provider region; the functions see it as AWS_REGION. */
export const REGION = 'eu-west-1';
export const TABLE_NAME = `${SERVICE}-${STAGE}`;
export const EVENT_BUS_NAME = 'local';
/** The archive's bucket, in the S3 stand-in npm start runs (dev/local-archive.ts). */
export const ARCHIVE_BUCKET = `${SERVICE}-${STAGE}-archive`;
export const DEFAULT_SIGNINGHUB_URL = 'https://api.signinghub.com';
/** Nothing here is real: local clients need some region and credentials to sign requests. */
export const LOCAL_AWS = localAws(REGION);

export interface LocalPorts {
  readonly http: number;
  readonly lambda: number;
  readonly dynamoDb: number;
  readonly simulator: number;
  readonly eventBridge: number;
  readonly secrets: number;
  readonly s3: number;
}

const PORT_VARIABLES = {
  http: { name: 'LOCAL_HTTP_PORT', fallback: 3000, role: 'the callback HTTP API' },
  lambda: { name: 'LOCAL_LAMBDA_PORT', fallback: 3002, role: 'the Lambda invoke endpoint' },
  dynamoDb: { name: 'LOCAL_DYNAMODB_PORT', fallback: 8000, role: 'DynamoDB Local' },
  simulator: { name: 'LOCAL_SIMULATOR_PORT', fallback: 3010, role: 'the SigningHub simulator' },
  eventBridge: {
    name: 'LOCAL_EVENTBRIDGE_PORT',
    fallback: 3011,
    role: 'the EventBridge emulator',
  },
  secrets: {
    name: 'LOCAL_SECRETS_PORT',
    fallback: 3012,
    role: 'the Secrets Manager stand-in',
  },
  s3: { name: 'LOCAL_S3_PORT', fallback: 3013, role: 'the S3 stand-in (the archive)' },
} as const satisfies Record<keyof LocalPorts, { name: string; fallback: number; role: string }>;

export const portVariable = (key: keyof LocalPorts) => PORT_VARIABLES[key];

const CREDENTIAL_VARIABLES = [
  'SIGNINGHUB_CLIENT_ID',
  'SIGNINGHUB_CLIENT_SECRET',
  'SIGNINGHUB_USERNAME',
  'SIGNINGHUB_PASSWORD',
] as const;

/** What a .env may set; anything else under these prefixes is a typo worth stopping for. */
const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...CREDENTIAL_VARIABLES,
  'SIGNINGHUB_BASE_URL',
  'SIGNINGHUB_API_VERSION',
  'SIGNINGHUB_TIMEOUT_MS',
  'CALLBACK_SECRET',
  'LOCAL_CALLBACK_MODE',
  ...Object.values(PORT_VARIABLES).map(({ name }) => name),
]);
const CHECKED_PREFIXES = ['SIGNINGHUB_', 'LOCAL_', 'CALLBACK_'];

const CALLBACK_MODES: readonly CallbackMode[] = ['query', 'webhook', 'report'];

export type SigningHubTarget =
  | { readonly kind: 'simulator'; readonly url: string; readonly callbackMode: CallbackMode }
  | { readonly kind: 'remote'; readonly url: string };

export interface LocalSettings {
  /** Where the stack keeps its data and state (absolute). */
  readonly dir: string;
  readonly envFile: string;
  readonly envFileUsed: boolean;
  readonly ports: LocalPorts;
  readonly signingHub: SigningHubTarget;
  readonly callbackSecret: string;
  /** Whether the callback secret came from the user (stable) or was made for this run. */
  readonly callbackSecretGiven: boolean;
  /** The tenants besides default, each with its settings in the Secrets Manager stand-in. */
  readonly tenants: readonly LocalTenant[];
  /** What the functions get on top of serverless.yml's environment. */
  readonly functionEnv: Readonly<Record<string, string>>;
  /** Values never to be shown: masked in everything the stack prints. */
  readonly secrets: readonly string[];
}

const envFilePath = (env: Environment): string =>
  resolve(REPO_DIR, env.LOCAL_ENV_FILE?.trim() || '.env');

const parsePort = (raw: string, name: string, where: string): number => {
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    throw new UserError(`${where}: ${name} must be a port number (1-65535), got "${raw}"`);
  }
  return Number(raw);
};

/**
 * Reads the process environment over the .env file, validates everything npm start needs and
 * answers with the settings; a mistake becomes a UserError naming the variable and where it is.
 */
export const loadLocalSettings = (processEnv: Environment): LocalSettings => {
  const envFile = envFilePath(processEnv);
  const fileEnv = readEnvFile(envFile);
  for (const name of Object.keys(fileEnv)) {
    if (name === 'LOCAL_DIR' || name === 'LOCAL_ENV_FILE') {
      throw new UserError(
        `${envFile}: ${name} is read from the environment only (${name}=… npm start), not from .env`,
      );
    }
    if (CHECKED_PREFIXES.some((prefix) => name.startsWith(prefix)) && !KNOWN_VARIABLES.has(name)) {
      throw new UserError(
        `${envFile}: unknown variable ${name}; expected one of ${[...KNOWN_VARIABLES].join(', ')}`,
      );
    }
  }
  const where = (name: string): string =>
    processEnv[name] !== undefined && processEnv[name] !== '' ? 'the environment' : envFile;
  const value = (name: string): string | undefined => {
    const raw = processEnv[name] ?? fileEnv[name];
    const trimmed = raw?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
  };

  const ports = Object.fromEntries(
    Object.entries(PORT_VARIABLES).map(([key, { name, fallback }]) => {
      const raw = value(name);
      return [key, raw === undefined ? fallback : parsePort(raw, name, where(name))];
    }),
  ) as unknown as LocalPorts;
  const taken = new Map<number, string>();
  for (const [key, port] of Object.entries(ports)) {
    const name = PORT_VARIABLES[key as keyof LocalPorts].name;
    const other = taken.get(port);
    if (other) throw new UserError(`${name} and ${other} are both ${port}: give each its own port`);
    taken.set(port, name);
  }

  const givenCredentials = CREDENTIAL_VARIABLES.filter((name) => value(name) !== undefined);
  const baseUrl = value('SIGNINGHUB_BASE_URL');
  const remote = baseUrl !== undefined || givenCredentials.length > 0;
  if (remote && givenCredentials.length < CREDENTIAL_VARIABLES.length) {
    const missing = CREDENTIAL_VARIABLES.filter((name) => !givenCredentials.includes(name));
    throw new UserError(
      `${envFile}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: to drive ` +
        'your SigningHub set all four SIGNINGHUB_ credentials and SIGNINGHUB_BASE_URL, or remove ' +
        'them all to use the simulator',
    );
  }

  const callbackMode = value('LOCAL_CALLBACK_MODE') ?? 'query';
  if (!CALLBACK_MODES.includes(callbackMode as CallbackMode)) {
    throw new UserError(
      `${where('LOCAL_CALLBACK_MODE')}: LOCAL_CALLBACK_MODE must be query, webhook or report, ` +
        `got "${callbackMode}"`,
    );
  }
  const simulatorUrl = `http://127.0.0.1:${ports.simulator}`;
  const signingHub: SigningHubTarget = remote
    ? { kind: 'remote', url: baseUrl ?? DEFAULT_SIGNINGHUB_URL }
    : { kind: 'simulator', url: simulatorUrl, callbackMode: callbackMode as CallbackMode };

  const givenSecret = value('CALLBACK_SECRET');
  const callbackSecret = givenSecret ?? randomBytes(18).toString('base64url');
  const credentials: SigningHubCredentials = remote
    ? {
        clientId: value('SIGNINGHUB_CLIENT_ID') ?? '',
        clientSecret: value('SIGNINGHUB_CLIENT_SECRET') ?? '',
        username: value('SIGNINGHUB_USERNAME') ?? '',
        password: value('SIGNINGHUB_PASSWORD') ?? '',
      }
    : DEFAULT_SIMULATOR_CREDENTIALS;
  const functionEnv = {
    ...functionEnvironment({
      tableName: TABLE_NAME,
      dynamoDbEndpoint: `http://127.0.0.1:${ports.dynamoDb}`,
      signingHubUrl: signingHub.url,
      signingHubApiVersion: value('SIGNINGHUB_API_VERSION'),
      signingHubTimeoutMs: value('SIGNINGHUB_TIMEOUT_MS'),
      credentials,
      callbackSecret,
      eventBusName: EVENT_BUS_NAME,
      eventBridgeEndpoint: `http://127.0.0.1:${ports.eventBridge}`,
      // Tenant settings from the stand-in, never from an AWS account.
      tenantsSecretPrefix: TENANTS_SECRET_PREFIX,
      secretsManagerEndpoint: `http://127.0.0.1:${ports.secrets}`,
      // What Lambda says of a cold start: Powertools counts ColdStart only then.
      initializationType: 'on-demand',
    }),
    // The archive's bucket, in the S3 stand-in (the SDK reads the endpoint; path-style then).
    ARCHIVE_BUCKET,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.s3}`,
  };
  try {
    loadCallbackConfig(functionEnv);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    throw new UserError(
      `${where(error.variable)}: ${error.message}; fix it and run npm start again`,
    );
  }
  const tenants = localTenants(!remote);
  return {
    dir: localDir(processEnv),
    envFile,
    envFileUsed: Object.keys(fileEnv).length > 0,
    ports,
    signingHub,
    callbackSecret,
    callbackSecretGiven: givenSecret !== undefined,
    tenants,
    functionEnv,
    secrets: [
      callbackSecret,
      ...tenants.map((tenant) => tenant.callbackSecret),
      ...(remote ? [credentials.clientSecret, credentials.password] : []),
    ],
  };
};
