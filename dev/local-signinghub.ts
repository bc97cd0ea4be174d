import { startSecretsStandIn } from '../harness/secrets-stand-in.ts';
import { startSimulator } from '../harness/simulator/signinghub-simulator.ts';
import type { LocalSettings } from './local-settings.ts';
import { type StackTenant, tenantCallbackUrl, tenantSecretText } from './local-tenants.ts';
import type { StartUp } from './start-up.ts';

/** What npm start runs for SigningHub and the tenants' settings, as the state file records it. */
export interface LocalSigningHub {
  readonly simulatorUrl: string | undefined;
  /** The default tenant's callback route, secret and all. */
  readonly callbackUrl: string;
  /** The tenants besides default. */
  readonly tenants: readonly StackTenant[];
}

const GRANTS = { password: 'password grant', client_credentials: 'client credentials' } as const;

/**
 * The simulator with the default enterprise and one per tenant, each calling back on its own
 * route (or, with your SigningHub, no simulator and no tenant), then the Secrets Manager stand-in
 * holding each tenant's settings, where the functions read them.
 */
export const startLocalSigningHub = async (
  settings: LocalSettings,
  step: StartUp['step'],
  say: (line: string) => void,
  show: (line: string) => void,
): Promise<LocalSigningHub> => {
  const http = `http://127.0.0.1:${settings.ports.http}`;
  const callbackUrl = `${http}/signinghub/callback/${settings.callbackSecret}`;
  const tenants: StackTenant[] = [];
  let simulatorUrl: string | undefined;
  if (settings.signingHub.kind === 'simulator') {
    const mode = settings.signingHub.callbackMode;
    const simulator = await step(
      () =>
        startSimulator({
          port: settings.ports.simulator,
          autoCreatePackages: false,
          callback: { url: callbackUrl, mode },
          enterprises: Object.fromEntries(
            settings.tenants.map((tenant) => [
              tenant.name,
              {
                credentials: tenant.credentials,
                grants: [tenant.grantType],
                callback: { url: tenantCallbackUrl(http, tenant), mode },
              },
            ]),
          ),
          log: (line) => show(`  [simulator] ${line}`),
        }),
      (started) => () => started.close(),
    );
    simulatorUrl = simulator.url;
    for (const tenant of settings.tenants) {
      tenants.push({
        name: tenant.name,
        grantType: tenant.grantType,
        signingHubUrl: simulator.enterprise(tenant.name).url,
        callbackUrl: tenantCallbackUrl(http, tenant),
        secretName: tenant.secretName,
      });
    }
    say(`  SigningHub simulator  ${simulator.url}, calls back with ${mode}`);
    for (const tenant of tenants) {
      say(
        `                        enterprise ${tenant.name} at ${tenant.signingHubUrl} ` +
          `(${GRANTS[tenant.grantType]})`,
      );
    }
  } else {
    say(`  SigningHub            ${settings.signingHub.url} (no simulator)`);
  }

  const secrets = Object.fromEntries(
    settings.tenants.flatMap((tenant) => {
      const url = tenants.find((made) => made.name === tenant.name)?.signingHubUrl;
      return url === undefined ? [] : [[tenant.secretName, tenantSecretText(tenant, url)]];
    }),
  );
  const standIn = await step(
    () =>
      startSecretsStandIn({
        port: settings.ports.secrets,
        secrets,
        log: (line) => show(`  [secrets] ${line}`),
      }),
    (started) => () => started.close(),
  );
  const names = Object.keys(secrets);
  say(
    `  Secrets Manager       stand-in ${standIn.endpoint} (not moto): ` +
      (names.length === 0 ? 'no tenant secrets' : names.join(', ')),
  );
  return { simulatorUrl, callbackUrl, tenants };
};
