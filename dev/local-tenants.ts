import { randomBytes } from 'node:crypto';
import type { SimulatorCredentials } from '../harness/simulator/types.ts';
import type { GrantType } from '../lib/signinghub/access.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import type { StackState } from '../ops/stack-state.ts';
import { UserError } from '../ops/user-error.ts';
import type { LocalArchiveState } from './local-archive.ts';

/*
 * The second tenant npm start runs beside the default one: acme, an enterprise of the simulator
 * that takes the client-credentials grant only. Its settings are a secret under
 * TENANTS_SECRET_PREFIX in the Secrets Manager stand-in (harness/secrets-stand-in.ts), read by
 * the functions through the SDK as deployed; its callbacks come on the tenant route.
 */

/** serverless.yml's prefix at the local stage: one secret per tenant, `<prefix><tenant>`. */
export const TENANTS_SECRET_PREFIX = 'signinghub-finish/local/tenants/';

export const SECOND_TENANT = 'acme';

/** A tenant other than default, as npm start makes it for a run with the simulator. */
export interface LocalTenant {
  readonly name: string;
  readonly grantType: GrantType;
  /** What its enterprise in the simulator accepts (made up, like the default enterprise's). */
  readonly credentials: SimulatorCredentials;
  /** Made for this run: the last segment of its callback URL. */
  readonly callbackSecret: string;
  /** The secret that holds its settings. */
  readonly secretName: string;
}

/** The tenants besides default: acme with the simulator; none with your own SigningHub. */
export const localTenants = (withSimulator: boolean): LocalTenant[] =>
  withSimulator
    ? [
        {
          name: SECOND_TENANT,
          grantType: 'client_credentials',
          credentials: {
            clientId: `${SECOND_TENANT}-client`,
            clientSecret: `${SECOND_TENANT}-client-secret`,
            username: `admin@${SECOND_TENANT}.example`,
            password: `${SECOND_TENANT}-password`,
          },
          callbackSecret: randomBytes(18).toString('base64url'),
          secretName: `${TENANTS_SECRET_PREFIX}${SECOND_TENANT}`,
        },
      ]
    : [];

/** The tenant's route of the callback, secret and all. */
export const tenantCallbackUrl = (httpUrl: string, tenant: LocalTenant): string =>
  `${httpUrl}/signinghub/tenants/${tenant.name}/callback/${tenant.callbackSecret}`;

/** The secret's JSON, as docs/interface.md describes a tenant's settings. */
export const tenantSecretText = (tenant: LocalTenant, signingHubUrl: string): string =>
  JSON.stringify({
    base_url: signingHubUrl,
    api_version: 'v3',
    grant_type: tenant.grantType,
    client_id: tenant.credentials.clientId,
    client_secret: tenant.credentials.clientSecret,
    ...(tenant.grantType === 'password'
      ? { username: tenant.credentials.username, password: tenant.credentials.password }
      : {}),
    callback_secret: tenant.callbackSecret,
  });

/** A tenant as the stack's state file tells the dev commands of it. */
export interface StackTenant {
  readonly name: string;
  readonly grantType: GrantType;
  /** Its SigningHub: for a tenant other than default, its enterprise in the simulator. */
  readonly signingHubUrl: string;
  /** Carries the tenant's callback secret (the state file is its owner's only). */
  readonly callbackUrl: string;
  /** Where its settings are (none for default: the functions' environment). */
  readonly secretName: string | undefined;
}

/** What npm start writes besides StackState: the tenants other than default, and the archive. */
export interface LocalStackState extends StackState {
  readonly tenants: readonly StackTenant[];
  /** The archive's bucket in the S3 stand-in, a folder (absent in a state of an older run). */
  readonly archive?: LocalArchiveState;
}

/** Every tenant of the running stack, default first. */
export const stackTenants = (state: StackState): StackTenant[] => {
  const others = (state as Partial<LocalStackState>).tenants;
  return [
    {
      name: DEFAULT_TENANT,
      grantType:
        state.functionEnvironment.SIGNINGHUB_GRANT_TYPE === 'client_credentials'
          ? 'client_credentials'
          : 'password',
      signingHubUrl: state.signingHubUrl,
      callbackUrl: state.callbackUrl,
      secretName: undefined,
    },
    ...(Array.isArray(others) ? others : []),
  ];
};

/** The tenant `--tenant` names, or one line that names those the stack runs. */
export const stackTenant = (state: StackState, name: string): StackTenant => {
  const tenants = stackTenants(state);
  const found = tenants.find((tenant) => tenant.name === name);
  if (found) return found;
  const names = tenants.map((tenant) => tenant.name);
  throw new UserError(
    `the local stack runs no tenant "${name}": its tenants are ${names.slice(0, -1).join(', ')}` +
      `${names.length > 1 ? ' and ' : ''}${names.at(-1)} (npm start's banner lists them)`,
  );
};

/** `?enterprise=<tenant>` for the simulator's control API: its enterprise of the tenant's name. */
export const enterpriseQuery = (tenant: string): string =>
  tenant === DEFAULT_TENANT ? '' : `?enterprise=${encodeURIComponent(tenant)}`;
