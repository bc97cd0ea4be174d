import { randomBytes } from 'node:crypto';
import type { SimulatorCredentials } from '../../harness/simulator/types.ts';
import type { GrantType } from '../../lib/signinghub/access.ts';

/** One SigningHub enterprise of the soak, and how the functions reach it. */
export interface TenantSpec {
  readonly name: string;
  readonly grant: GrantType;
  /** Served over HTTPS only to a client certificate signed by the run's CA (mutual TLS). */
  readonly clientCertificate: boolean;
}

export const DEFAULT_TENANT = 'default';

/**
 * The default tenant (the environment and the credentials secret) and three from Secrets Manager:
 * acme with the password grant, beta with client credentials, secure with client credentials over
 * HTTPS behind a client certificate. All four use the same package ids.
 */
export const SOAK_TENANTS: readonly TenantSpec[] = [
  { name: DEFAULT_TENANT, grant: 'password', clientCertificate: false },
  { name: 'acme', grant: 'password', clientCertificate: false },
  { name: 'beta', grant: 'client_credentials', clientCertificate: false },
  { name: 'secure', grant: 'client_credentials', clientCertificate: true },
];

/** A tenant no secret exists for: its events are handed back until they dead-letter. */
export const UNKNOWN_TENANT = 'ghost';

/** `<tenant>/<packageId>`: package ids repeat across tenants, so this is what names a package. */
export type PackageRef = string;

export const packageRef = (tenant: string, packageId: number): PackageRef =>
  `${tenant}/${packageId}`;

export const parsePackageRef = (ref: PackageRef): { tenant: string; packageId: number } => {
  const slash = ref.indexOf('/');
  return { tenant: ref.slice(0, slash), packageId: Number(ref.slice(slash + 1)) };
};

/** What one tenant's enterprise accepts and the functions are given, made up for this run. */
export interface TenantAccount {
  readonly spec: TenantSpec;
  readonly credentials: SimulatorCredentials;
  readonly callbackSecret: string;
}

const secret = (what: string): string => `soak-${what}-${randomBytes(12).toString('hex')}`;

/** Fresh credentials and a callback secret for every tenant: each run's secrets are its own. */
export const makeTenantAccounts = (specs: readonly TenantSpec[]): TenantAccount[] =>
  specs.map((spec) => ({
    spec,
    credentials: {
      clientId: `soak-${spec.name}-${randomBytes(4).toString('hex')}`,
      clientSecret: secret(`${spec.name}-client-secret`),
      username: `integration@${spec.name}.example`,
      password: secret(`${spec.name}-password`),
    },
    callbackSecret: secret(`${spec.name}-callback`),
  }));

const PARTITION = /^(?:TENANT#([^#]+)#)?PACKAGE#(\d+)$/;

/**
 * The package a table partition holds, read independently of the product's own key code: the
 * default tenant's `PACKAGE#<id>`, another's `TENANT#<tenant>#PACKAGE#<id>`.
 */
export const refOfPartition = (pk: string | undefined): PackageRef | undefined => {
  const match = PARTITION.exec(pk ?? '');
  if (!match) return undefined;
  return packageRef(match[1] ?? DEFAULT_TENANT, Number(match[2]));
};
