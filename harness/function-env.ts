import type { SigningHubCredentials } from '../lib/config.ts';

/** What a run gives the handlers; each setting left out is left out of the environment too. */
export interface FunctionSettings {
  readonly tableName?: string | undefined;
  readonly dynamoDbEndpoint?: string | undefined;
  readonly signingHubUrl?: string | undefined;
  readonly signingHubApiVersion?: string | undefined;
  /** A string is passed as given: the handler's own validation judges it. */
  readonly signingHubTimeoutMs?: number | string | undefined;
  readonly credentials?: Readonly<SigningHubCredentials> | undefined;
  readonly callbackSecret?: string | undefined;
  readonly eventBusName?: string | undefined;
  readonly eventBridgeEndpoint?: string | undefined;
  /** TENANTS_SECRET_PREFIX: where the tenants' settings are, one secret each. */
  readonly tenantsSecretPrefix?: string | undefined;
  /** Where the SDK finds Secrets Manager: moto, or npm start's stand-in. */
  readonly secretsManagerEndpoint?: string | undefined;
  readonly reconcileAfterSeconds?: number | undefined;
  /** ARCHIVE_BUCKET: where the archive stores the signed documents. */
  readonly archiveBucket?: string | undefined;
  /** Where the SDK finds S3 (AWS_ENDPOINT_URL_S3): moto, or a stand-in; path-style then. */
  readonly s3Endpoint?: string | undefined;
  readonly logLevel?: string | undefined;
  /** What Lambda tells a function about itself, for Powertools' log fields. */
  readonly lambdaFunctionName?: string | undefined;
  readonly serviceName?: string | undefined;
  /** `on-demand` is what Lambda says of a cold start; Powertools counts ColdStart only then. */
  readonly initializationType?: 'on-demand' | 'provisioned-concurrency' | undefined;
  /** POWERTOOLS_METRICS_DISABLED: false pins the EMF metrics on, whatever POWERTOOLS_DEV says. */
  readonly metricsDisabled?: boolean | undefined;
  /**
   * IS_OFFLINE, as serverless-offline sets it: functions share one output there, so their log
   * lines name the function (in Lambda the log group does).
   */
  readonly offline?: boolean | undefined;
}

type PlainSetting = Exclude<keyof FunctionSettings, 'credentials'>;

const VARIABLES: Readonly<Record<PlainSetting, string>> = {
  tableName: 'TABLE_NAME',
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  signingHubUrl: 'SIGNINGHUB_BASE_URL',
  signingHubApiVersion: 'SIGNINGHUB_API_VERSION',
  signingHubTimeoutMs: 'SIGNINGHUB_TIMEOUT_MS',
  callbackSecret: 'CALLBACK_SECRET',
  eventBusName: 'EVENT_BUS_NAME',
  eventBridgeEndpoint: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  tenantsSecretPrefix: 'TENANTS_SECRET_PREFIX',
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  reconcileAfterSeconds: 'RECONCILE_AFTER_SECONDS',
  archiveBucket: 'ARCHIVE_BUCKET',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  lambdaFunctionName: 'AWS_LAMBDA_FUNCTION_NAME',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  initializationType: 'AWS_LAMBDA_INITIALIZATION_TYPE',
  metricsDisabled: 'POWERTOOLS_METRICS_DISABLED',
  offline: 'IS_OFFLINE',
};

/** The environment variables the handlers read their settings from (lib/config.ts), by name. */
export const functionEnvironment = (settings: FunctionSettings): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [setting, name] of Object.entries(VARIABLES) as [PlainSetting, string][]) {
    const value = settings[setting];
    if (value !== undefined) env[name] = String(value);
  }
  const { credentials } = settings;
  if (credentials) {
    env.SIGNINGHUB_CLIENT_ID = credentials.clientId;
    env.SIGNINGHUB_CLIENT_SECRET = credentials.clientSecret;
    env.SIGNINGHUB_USERNAME = credentials.username;
    env.SIGNINGHUB_PASSWORD = credentials.password;
  }
  return env;
};
