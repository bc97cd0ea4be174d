import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates } from '../../../harness/test-certificates.ts';
import { TokenCache } from '../../../lib/signinghub/token-cache.ts';
import { motoClientConfig } from '../../support/moto-deploy.ts';
import { type SigningHubFake, startSigningHubFake } from '../../support/signinghub-fake.ts';
import { withFakeDate, withMotoSecretsClient } from '../aws/secrets-fixture.ts';
import {
  DEFAULT_SIGNINGHUB,
  directoryOver,
  MAX_AGE,
  opened,
  PREFIX,
  settingsFor,
} from './directory-fixture.ts';

const moto = withMotoSecretsClient();
const pass = withFakeDate();

let first: SigningHubFake;
let second: SigningHubFake;
beforeAll(async () => {
  [first, second] = await Promise.all([startSigningHubFake(), startSigningHubFake()]);
});
afterAll(async () => {
  await Promise.all([first?.close(), second?.close()]);
});

const CALLBACK = 'tenant-callback-secret-0001';
const NEXT = 'tenant-callback-secret-0002';
const EXTRA = 'tenant-callback-secret-0003';

/** Asks the tenant's SigningHub for a workflow; the fakes' empty answer is not one, which is fine. */
const callThrough = async (signingHub: {
  getWorkflow: (id: number, o: object) => Promise<unknown>;
}) => {
  await signingHub.getWorkflow(1, {}).catch(() => undefined);
};

describe('TenantDirectory: the default tenant and the tenants of the secrets', () => {
  it('opens default as given, reading nothing, with no callback secret unless given', async () => {
    const { directory } = directoryOver(() => {
      throw new Error('no secret may be read');
    });
    const tenant = opened(await directory.open('default'));
    expect(tenant.signingHub).toBe(DEFAULT_SIGNINGHUB);
    expect(await tenant.callbackSecrets()).toEqual([]);
    const withSecrets = directoryOver(moto().client, {
      defaultTenant: { signingHub: DEFAULT_SIGNINGHUB, callbackSecrets: async () => [CALLBACK] },
    }).directory;
    expect(await opened(await withSecrets.openForCallback('default')).callbackSecrets()).toEqual([
      CALLBACK,
    ]);
  });

  it('opens a tenant to its own SigningHub, one client per tenant, read once per age', async () => {
    const { secrets } = moto();
    await secrets.create(
      `${PREFIX}acme`,
      settingsFor(first.baseUrl, { callback_secret: CALLBACK }),
    );
    const { directory } = directoryOver(moto().client, { tokens: new TokenCache(Date.now) });
    const tenant = opened(await directory.open('acme'));
    expect(tenant.tenant).toBe('acme');
    expect(opened(await directory.openForCallback('acme')).signingHub).toBe(tenant.signingHub);
    first.reset();
    await callThrough(tenant.signingHub);
    expect(first.forms()).toEqual([
      expect.objectContaining({ grant_type: 'password', client_id: 'tenant-app' }),
    ]);
    expect(first.apiCalls().map(({ path }) => path)).toEqual(['/v3/packages/1/workflow']);
    expect(await tenant.callbackSecrets()).toEqual([CALLBACK]);
    expect(secrets.reads(`${PREFIX}acme`, 'AWSCURRENT')).toBe(1);
  });

  it('gives its clock to the tenants’ clients: a call leaves while there is time by it', async () => {
    await moto().secrets.create(`${PREFIX}clocked`, settingsFor(first.baseUrl));
    const { directory } = directoryOver(moto().client, { now: () => 0 });
    const tenant = opened(await directory.open('clocked'));
    first.reset();
    // Time left by the directory's clock (0), none by the machine's.
    await tenant.signingHub.finishPackage(1, { startBy: 1 }).catch(() => undefined);
    expect(first.apiCalls().map(({ path }) => path)).toEqual(['/v3/packages/1/finish']);
  });

  it('takes a changed secret into account once the maximum age has passed', async () => {
    const { secrets } = moto();
    const name = `${PREFIX}moving`;
    await secrets.create(name, settingsFor(first.baseUrl));
    const { directory } = directoryOver(moto().client);
    const tenant = opened(await directory.open('moving'));
    await secrets.put(name, settingsFor(second.baseUrl, { api_version: 'v4' }));
    first.reset();
    second.reset();
    pass(MAX_AGE - 1);
    await callThrough(tenant.signingHub);
    expect(first.apiCalls()).toHaveLength(1);
    expect(second.received).toHaveLength(0);
    pass(2);
    await callThrough(opened(await directory.open('moving')).signingHub);
    expect(second.apiCalls().map(({ path }) => path)).toEqual(['/v4/packages/1/workflow']);
    expect(first.apiCalls()).toHaveLength(1);
  });

  it('accepts the callback secrets of AWSCURRENT and, while it exists, of AWSPREVIOUS', async () => {
    const { secrets } = moto();
    const name = `${PREFIX}rotating`;
    await secrets.create(
      name,
      settingsFor(first.baseUrl, { callback_secret: CALLBACK, previous_callback_secret: EXTRA }),
    );
    await secrets.put(name, settingsFor(first.baseUrl, { callback_secret: NEXT }));
    const { directory } = directoryOver(moto().client);
    const tenant = opened(await directory.openForCallback('rotating'));
    expect(await tenant.callbackSecrets()).toEqual([NEXT, CALLBACK, EXTRA]);
    await secrets.removePrevious(name);
    pass(MAX_AGE + 1);
    expect(await tenant.callbackSecrets()).toEqual([NEXT]);
    expect(secrets.reads(name, 'AWSPREVIOUS')).toBe(2);
  });

  it('accepts no callback at all for a tenant without callback_secret', async () => {
    await moto().secrets.create(`${PREFIX}silent`, settingsFor(first.baseUrl));
    const { directory } = directoryOver(moto().client);
    expect(await opened(await directory.openForCallback('silent')).callbackSecrets()).toEqual([]);
  });

  it('answers invalid settings by the tenant and the key, logged once per read', async () => {
    const { secrets } = moto();
    const name = `${PREFIX}broken`;
    await secrets.create(name, settingsFor(first.baseUrl, { api_version: 'v9-hidden-value' }));
    const { directory, log } = directoryOver(moto().client);
    const answer = await directory.open('broken');
    expect(answer).toEqual({
      ok: false,
      tenant: 'broken',
      reason: 'invalid',
      message: 'the settings of tenant "broken": api_version must be v3 or v4',
    });
    await directory.openForCallback('broken');
    expect(log.lines).toEqual([
      {
        level: 'error',
        message: 'the settings of a tenant are invalid',
        fields: {
          tenant: 'broken',
          secret: name,
          keys: ['api_version'],
          reason: 'the settings of tenant "broken": api_version must be v3 or v4',
        },
      },
    ]);
    expect(log.text()).not.toContain('hidden-value');
    expect(log.text()).not.toContain('tenant-password');
    await secrets.put(name, settingsFor(first.baseUrl));
    pass(MAX_AGE + 1);
    expect((await directory.open('broken')).ok).toBe(true);
  });

  it('answers a secret it cannot read as unreadable, and reads it again next time', async () => {
    const { secrets } = moto();
    const name = `${PREFIX}deleted`;
    await secrets.create(name, settingsFor(first.baseUrl));
    await secrets.markDeleted(name);
    const { directory, log } = directoryOver(moto().client);
    expect(await directory.open('deleted')).toEqual({
      ok: false,
      tenant: 'deleted',
      reason: 'unreadable',
      message: `could not read the secret "${name}" from Secrets Manager: InvalidRequestException`,
    });
    expect(log.lines).toEqual([
      {
        level: 'error',
        message: 'could not read the settings of a tenant',
        fields: {
          tenant: 'deleted',
          reason: `could not read the secret "${name}" from Secrets Manager: InvalidRequestException`,
        },
      },
    ]);
    await secrets.restore(name);
    expect((await directory.open('deleted')).ok).toBe(true);
    expect(secrets.reads(name)).toBe(2);
  });

  it('forgets a known tenant whose secret is gone, and remembers it missing', async () => {
    const { secrets } = moto();
    const name = `${PREFIX}leaving`;
    await secrets.create(name, settingsFor(first.baseUrl));
    const { directory } = directoryOver(moto().client);
    opened(await directory.open('leaving'));
    const operator = new SecretsManagerClient(motoClientConfig(secrets, 'us-east-1'));
    await operator.send(
      new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }),
    );
    operator.destroy();
    pass(MAX_AGE + 1);
    expect(await directory.open('leaving')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(await directory.open('leaving')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(secrets.reads(name, 'AWSCURRENT')).toBe(2);
  });

  it('sees a tenant added within the maximum age, with no deploy', async () => {
    const { secrets } = moto();
    const { directory } = directoryOver(moto().client);
    expect(await directory.open('newco')).toMatchObject({ ok: false, reason: 'unknown' });
    await secrets.create(`${PREFIX}newco`, settingsFor(first.baseUrl));
    expect(await directory.open('newco')).toMatchObject({ ok: false, reason: 'unknown' });
    expect(secrets.reads(`${PREFIX}newco`)).toBe(1);
    pass(MAX_AGE + 1);
    expect((await directory.open('newco')).ok).toBe(true);
  });
});

describe('TenantDirectory: a client certificate about to expire', () => {
  it('is warned of with the tenant and the date, and counted, once per read', async () => {
    const certificates = await makeTestCertificates();
    const soon = await certificates.client('expiring', 10);
    const name = `${PREFIX}expiring`;
    await moto().secrets.create(
      name,
      settingsFor(first.baseUrl, { client_certificate: soon.cert, client_key: soon.key }),
    );
    const { directory, log, metrics } = directoryOver(moto().client);
    await directory.open('expiring');
    await directory.openForCallback('expiring');
    expect(metrics.total('ClientCertificateExpiring')).toBe(1);
    const [line] = log.lines;
    expect(log.lines).toHaveLength(1);
    expect(line?.level).toBe('warn');
    expect(line?.fields?.tenant).toBe('expiring');
    const days = (Date.parse(String(line?.fields?.expires)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9);
    expect(days).toBeLessThan(10.01);
    pass(MAX_AGE + 1);
    await directory.open('expiring');
    expect(metrics.total('ClientCertificateExpiring')).toBe(2);
  });
});
