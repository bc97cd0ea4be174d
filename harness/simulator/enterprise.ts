import { DEFAULT_TENANT, isTenantId } from '../../lib/tenants/tenant-id.ts';
import { createTokenIssuer, GRANT_TYPES, type TokenIssuer } from './auth.ts';
import { type CallLog, createCallLog } from './call-log.ts';
import { type Callbacks, createCallbacks } from './callbacks.ts';
import { createDocumentScripts, type DocumentScriptQueue } from './document-scripts.ts';
import type { HostState } from './host.ts';
import { createPackageStore, type PackageStore } from './packages.ts';
import { createScriptQueue, type ScriptQueue } from './scripts.ts';
import type { EnterpriseOptions, SimulatorOptions } from './types.ts';

/** One SigningHub enterprise the simulator runs: everything it holds is its own. */
export interface Enterprise {
  /** `default` for the one at the root. */
  readonly name: string;
  /** '' at the root, else /enterprises/<name>. */
  readonly basePath: string;
  readonly tokens: TokenIssuer;
  readonly packages: PackageStore;
  readonly scripts: ScriptQueue;
  readonly documentScripts: DocumentScriptQueue;
  readonly callLog: CallLog;
  readonly callbacks: Callbacks;
  readonly host: HostState;
}

/**
 * The enterprises of a simulator's options, `default` first: the top-level options make the
 * default one, each of `enterprises` another (taking the top-level token lifetime and package
 * creation unless it sets its own). Throws for a name that is not a tenant id or is `default`,
 * and for a client certificate asked for without `tls`.
 */
export function createEnterprises(
  options: SimulatorOptions,
  defaultCredentials: EnterpriseOptions['credentials'],
  log: (line: string) => void,
): [Enterprise, ...Enterprise[]] {
  const enterprises: [Enterprise, ...Enterprise[]] = [
    createEnterprise(DEFAULT_TENANT, '', {
      ...options,
      credentials: options.credentials ?? defaultCredentials,
    }),
  ];
  for (const [name, settings] of Object.entries(options.enterprises ?? {})) {
    if (!isTenantId(name) || name === DEFAULT_TENANT) {
      throw new Error(`An enterprise needs a tenant id other than ${DEFAULT_TENANT} as its name`);
    }
    enterprises.push(
      createEnterprise(name, `/enterprises/${name}`, {
        tokenTtlSeconds: options.tokenTtlSeconds,
        autoCreatePackages: options.autoCreatePackages,
        ...settings,
      }),
    );
  }
  for (const enterprise of enterprises) {
    if (enterprise.host.clientCommonName !== undefined && !options.tls) {
      throw new Error(`Enterprise ${enterprise.name} wants a client certificate: give tls`);
    }
  }
  return enterprises;

  function createEnterprise(
    name: string,
    basePath: string,
    settings: EnterpriseOptions,
  ): Enterprise {
    return {
      name,
      basePath,
      tokens: createTokenIssuer({
        credentials: settings.credentials,
        grants: settings.grants ?? GRANT_TYPES,
        tokenTtlSeconds: settings.tokenTtlSeconds ?? 86399,
        otpRequired: settings.otpRequired ?? false,
      }),
      // The packages' owner is the enterprise's own user, as in its webhook callbacks.
      packages: createPackageStore(
        settings.autoCreatePackages ?? true,
        settings.credentials.username,
      ),
      scripts: createScriptQueue(),
      documentScripts: createDocumentScripts(),
      callLog: createCallLog(name, log),
      callbacks: createCallbacks({
        config: settings.callback,
        log: name === DEFAULT_TENANT ? log : (line) => log(`${name}: ${line}`),
      }),
      host: { down: false, clientCommonName: settings.clientCertificate?.commonName },
    };
  }
}
