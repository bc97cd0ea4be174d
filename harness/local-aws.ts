/** Nothing here is real: local services need some credentials to check a request's signature. */
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalAws {
  /** For an SDK client made here: `new DynamoDBClient({ endpoint, ...clientConfig })`. */
  readonly clientConfig: {
    readonly region: string;
    readonly credentials: typeof CREDENTIALS;
  };
  /** For a process or module that makes its own clients from the environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** The variables of `environment` that `env` does not set, so a caller's own are kept. */
  missingFrom(env: NodeJS.ProcessEnv): Record<string, string>;
}

/** Made-up AWS settings in `region`: the local services check a signature, never an account. */
export const localAws = (region: string): LocalAws => {
  const environment = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  return {
    clientConfig: { region, credentials: CREDENTIALS },
    environment,
    missingFrom: (env) =>
      Object.fromEntries(Object.entries(environment).filter(([name]) => env[name] === undefined)),
  };
};
