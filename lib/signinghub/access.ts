import type { ApiVersion } from '../config.ts';

export type GrantType = 'password' | 'client_credentials';

/** How the integration proves who it is to one enterprise's SigningHub. */
export type Grant =
  | {
      readonly type: 'password';
      readonly clientId: string;
      readonly clientSecret: string;
      readonly username: string;
      readonly password: string;
    }
  | {
      readonly type: 'client_credentials';
      readonly clientId: string;
      readonly clientSecret: string;
    };

/** PEM text for one tenant's connections: a client certificate with its key, and a private CA. */
export interface ClientTls {
  /** Presented on every request to this tenant's host (mutual TLS); set together with `key`. */
  readonly certificate: string | undefined;
  readonly key: string | undefined;
  /** Trusted in addition to the public roots, for this tenant's connections only. */
  readonly ca: string | undefined;
}

/** Everything needed to reach and authenticate to one tenant's SigningHub, as last read. */
export interface SigningHubAccess {
  readonly tenant: string;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly apiVersion: ApiVersion;
  readonly grant: Grant;
  /** Undefined: the public roots and no client certificate (Node's global fetch). */
  readonly tls: ClientTls | undefined;
}

/** Reads a tenant's access; `forceFetch`: SigningHub refused what it gave last, read past any cache. */
export type AccessReader = (options?: {
  readonly forceFetch?: boolean;
}) => Promise<SigningHubAccess>;
