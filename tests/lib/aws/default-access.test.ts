import { beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyPair,
  makeTestCertificates,
  type TestCertificates,
} from '../../../harness/test-certificates.ts';
import { defaultAccessReader, SecretError } from '../../../lib/aws/secrets.ts';
import { loadFinishConfig } from '../../../lib/config.ts';
import type { GrantType, SigningHubAccess } from '../../../lib/signinghub/access.ts';
import { signingHubClientFrom } from '../../../lib/signinghub/client-from-config.ts';
import { certificateWatch } from '../../../lib/tenants/certificate-expiry.ts';
import { certificateExpiry } from '../../../lib/tenants/settings-keys.ts';
import { recordMetrics } from '../../support/recorded-metrics.ts';
import { rejection } from '../../support/rejection.ts';
import { recordLog, withFakeDate, withMotoSecretsClient } from './secrets-fixture.ts';

const moto = withMotoSecretsClient();
const pass = withFakeDate();

let certificates: TestCertificates;
let client: KeyPair;
beforeAll(async () => {
  certificates = await makeTestCertificates();
  client = await certificates.client('default-tenant', 60);
}, 60_000);

const MAX_AGE = 300;

const BASE = { baseUrl: 'https://sh.example.com', apiVersion: 'v3' } as const;

const reader = (
  secretId: string,
  grantType?: GrantType,
  onRead?: (access: SigningHubAccess) => void,
) =>
  defaultAccessReader(
    { ...BASE, credentials: { kind: 'secret', secretId, partial: {}, grantType } },
    moto().client,
    MAX_AGE,
    onRead,
  );

const account = { client_id: 'app', client_secret: 'the-client-secret' };
const admin = { username: 'admin@example.com', password: 'the-password' };

describe('the default tenant from the environment alone', () => {
  it('is the environment grant, no TLS, and reads no secret', async () => {
    const config = loadFinishConfig({
      TABLE_NAME: 'table',
      SIGNINGHUB_GRANT_TYPE: 'client_credentials',
      SIGNINGHUB_CLIENT_ID: 'app',
      SIGNINGHUB_CLIENT_SECRET: 'the-client-secret',
    }).signingHub;
    const read = defaultAccessReader(
      config,
      () => {
        throw new Error('no secret may be read');
      },
      MAX_AGE,
    );
    expect(await read()).toEqual({
      tenant: 'default',
      baseUrl: 'https://api.signinghub.com',
      apiVersion: 'v3',
      grant: { type: 'client_credentials', clientId: 'app', clientSecret: 'the-client-secret' },
      tls: undefined,
    });
  });
});

describe('the default tenant from the credentials secret', () => {
  it('takes grant_type client_credentials from the secret: no account needed', async () => {
    await moto().secrets.create(
      'cc',
      JSON.stringify({ ...account, grant_type: 'client_credentials' }),
    );
    expect((await reader('cc')()).grant).toEqual({
      type: 'client_credentials',
      clientId: 'app',
      clientSecret: 'the-client-secret',
    });
  });

  it('lets SIGNINGHUB_GRANT_TYPE win over the secret, as each variable wins over its key', async () => {
    await moto().secrets.create(
      'overridden',
      JSON.stringify({ ...account, ...admin, grant_type: 'password' }),
    );
    expect((await reader('overridden', 'client_credentials')()).grant.type).toBe(
      'client_credentials',
    );
    expect((await reader('overridden')()).grant.type).toBe('password');
  });

  it('names a bad grant_type and the keys the grant lacks, never a value', async () => {
    await moto().secrets.create(
      'bad-grant',
      JSON.stringify({ ...account, grant_type: 'implicit' }),
    );
    const bad = await rejection(reader('bad-grant')());
    expect(bad).toBeInstanceOf(SecretError);
    expect(bad.message).toBe(
      'the secret "bad-grant": grant_type must be password or client_credentials',
    );
    expect(bad.message).not.toContain('implicit');
    await moto().secrets.create('password-lacking', JSON.stringify(account));
    const lacking = await rejection(reader('password-lacking')());
    expect(lacking.message).toBe('the secret "password-lacking" lacks the keys username, password');
  });

  it('carries the client certificate, its key and the CA the secret holds', async () => {
    const tls = { client_certificate: client.cert, client_key: client.key };
    await moto().secrets.create(
      'with-tls',
      JSON.stringify({ ...account, ...admin, ...tls, ca_certificate: certificates.ca.cert }),
    );
    expect((await reader('with-tls')()).tls).toEqual({
      certificate: client.cert,
      key: client.key,
      ca: certificates.ca.cert,
    });
    await moto().secrets.create(
      'ca-only',
      JSON.stringify({ ...account, ...admin, ca_certificate: certificates.ca.cert }),
    );
    expect((await reader('ca-only')()).tls).toEqual({
      certificate: undefined,
      key: undefined,
      ca: certificates.ca.cert,
    });
  });

  it.each([
    [
      'a certificate without its key',
      () => ({ client_certificate: client.cert }),
      'client_key is required with client_certificate',
    ],
    [
      'a key without its certificate',
      () => ({ client_key: client.key }),
      'client_certificate is required with client_key',
    ],
    [
      'a key that is not the certificate’s',
      () => ({ client_certificate: client.cert, client_key: certificates.server.key }),
      'client_key is not the key of client_certificate',
    ],
    [
      'a certificate that is no PEM',
      () => ({ client_certificate: client.key, client_key: client.key }),
      'client_certificate must hold PEM certificates',
    ],
  ])('refuses %s, naming the key and quoting neither', async (_, keys, problem) => {
    const given = keys();
    const secretId = `tls-${problem.length}-${Object.keys(given).join('-')}`;
    await moto().secrets.create(secretId, JSON.stringify({ ...account, ...admin, ...given }));
    const error = await rejection(reader(secretId)());
    expect(error.message).toBe(`the secret "${secretId}": ${problem}`);
    for (const value of Object.values(given)) {
      expect(error.message).not.toContain(value.slice(40, 80));
    }
  });

  it('gives each read to onRead once: a new read, not each call', async () => {
    const { secrets } = moto();
    await secrets.create('watched', JSON.stringify({ ...account, ...admin }));
    const seen: SigningHubAccess[] = [];
    const read = reader('watched', undefined, (access) => seen.push(access));
    await read();
    await read();
    expect(seen).toHaveLength(1);
    await read({ forceFetch: true });
    expect(seen).toHaveLength(2);
    pass(MAX_AGE + 1);
    await read();
    expect(seen).toHaveLength(3);
    expect(secrets.reads('watched')).toBe(3);
  });
});

describe("the default tenant's client certificate about to expire", () => {
  it('is warned of and counted on each read of the credentials secret', async () => {
    const soon = await certificates.client('default-soon', 10);
    await moto().secrets.create(
      'expiring',
      JSON.stringify({ ...account, ...admin, client_certificate: soon.cert, client_key: soon.key }),
    );
    const log = recordLog();
    const metrics = recordMetrics();
    const read = reader('expiring', undefined, certificateWatch(log, metrics));
    await read();
    await read();
    expect(metrics.total('ClientCertificateExpiring')).toBe(1);
    expect(log.lines).toEqual([
      {
        level: 'warn',
        message: "the tenant's client certificate expires within 30 days",
        fields: { tenant: 'default', expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      },
    ]);
    pass(MAX_AGE + 1);
    await read();
    expect(metrics.total('ClientCertificateExpiring')).toBe(2);
  });

  it('is quiet about one valid for longer than 30 days', async () => {
    await moto().secrets.create(
      'lasting',
      JSON.stringify({
        ...account,
        ...admin,
        client_certificate: client.cert,
        client_key: client.key,
      }),
    );
    const log = recordLog();
    const metrics = recordMetrics();
    await reader('lasting', undefined, certificateWatch(log, metrics))();
    expect(metrics.total('ClientCertificateExpiring')).toBe(0);
    expect(log.lines).toEqual([]);
  });

  it('warns from exactly 30 days before the end, not a millisecond sooner', () => {
    const tls = { certificate: client.cert, key: client.key, ca: undefined };
    const access: SigningHubAccess = {
      ...BASE,
      tenant: 'acme',
      grant: { type: 'client_credentials', clientId: 'app', clientSecret: 'the-client-secret' },
      tls,
    };
    const end = certificateExpiry(tls)?.getTime() ?? Number.NaN;
    const warnings = (at: number) => {
      const metrics = recordMetrics();
      certificateWatch(recordLog(), metrics, () => at)(access);
      return metrics.total('ClientCertificateExpiring');
    };
    expect(warnings(end - 30 * 86_400_000)).toBe(1);
    expect(warnings(end - 30 * 86_400_000 - 1)).toBe(0);
  });

  it('is what the client from the configuration warns of, given a log', async () => {
    const soon = await certificates.client('default-client', 5);
    await moto().secrets.create(
      'client-expiring',
      JSON.stringify({ ...account, ...admin, client_certificate: soon.cert, client_key: soon.key }),
    );
    const config = loadFinishConfig({
      TABLE_NAME: 'table',
      SIGNINGHUB_BASE_URL: 'http://127.0.0.1:9',
      SIGNINGHUB_CREDENTIALS_SECRET: 'client-expiring',
      SIGNINGHUB_TIMEOUT_MS: '2000',
    }).signingHub;
    const log = recordLog();
    const metrics = recordMetrics();
    const signingHub = signingHubClientFrom(config, moto().client, metrics, { log });
    // Nothing listens on port 9: the call fails, after the access (and so the secret) was read.
    await rejection(signingHub.getWorkflow(1, {}));
    expect(metrics.total('ClientCertificateExpiring')).toBe(1);
    expect(log.lines.map(({ fields }) => fields?.tenant)).toEqual(['default']);
  });
});
