import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { makeTestCertificates } from '../../harness/test-certificates.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import {
  callbackEvent,
  scheduledEvent,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../support/factories.ts';
import {
  enterpriseAccount,
  loadHandler,
  TEST_CALLBACK_SECRET,
  testEnvironment,
} from '../support/function-stack.ts';
import { type MotoSecrets, startMotoSecrets } from '../support/moto-secrets.ts';
import { captureOutput, type OutputCapture } from '../support/output-capture.ts';
import { scanAll } from '../support/table-items.ts';

const PREFIX = 'test/tenants/';
const ACME_CALLBACK = 'acme-callback-secret-0123456789';
const account = enterpriseAccount;

interface World {
  table: TestTable;
  simulator: SigningHubSimulator;
  secrets: MotoSecrets;
  finish: Awaited<ReturnType<typeof loadHandler<'finish'>>>;
  callback: Awaited<ReturnType<typeof loadHandler<'callback'>>>;
  reconcile: Awaited<ReturnType<typeof loadHandler<'reconcile'>>>;
}
let world: World;
/** Everything the functions printed, for the check that no tenant's secret is among it. */
let output: OutputCapture;
/** Every secret value the tenants' settings hold. */
const secretValues: string[] = [];

/**
 * Four enterprises on one simulator: the default; acme (password grant); beta (client
 * credentials only); secure (client credentials over HTTPS, only with its client certificate).
 * One table, tenant settings in moto's Secrets Manager, a broken tenant beside them.
 */
beforeAll(async () => {
  output = captureOutput();
  const certificates = await makeTestCertificates();
  const secureClient = await certificates.client('secure');
  for (const name of ['acme', 'beta', 'secure']) {
    secretValues.push(account(name).clientSecret, account(name).password);
  }
  // The key's body, without its PEM armour: any part of it in a log would be a leak.
  secretValues.push(ACME_CALLBACK, secureClient.key.split('\n').slice(1, -2).join(''));
  const simulator = await startSimulator({
    tls: {
      cert: certificates.server.cert,
      key: certificates.server.key,
      clientCa: certificates.ca.cert,
    },
    enterprises: {
      acme: { credentials: account('acme') },
      beta: { credentials: account('beta'), grants: ['client_credentials'] },
      secure: {
        credentials: account('secure'),
        grants: ['client_credentials'],
        clientCertificate: { commonName: 'secure' },
      },
    },
  });
  const secrets = await startMotoSecrets();
  const settings = (name: string, extra: Record<string, string> = {}) =>
    JSON.stringify({
      base_url: simulator.enterprise(name).url,
      client_id: account(name).clientId,
      client_secret: account(name).clientSecret,
      username: account(name).username,
      password: account(name).password,
      ...extra,
    });
  await secrets.create(`${PREFIX}acme`, settings('acme', { callback_secret: ACME_CALLBACK }));
  await secrets.create(`${PREFIX}beta`, settings('beta', { grant_type: 'client_credentials' }));
  await secrets.create(
    `${PREFIX}secure`,
    JSON.stringify({
      base_url: simulator.enterprise('secure').httpsUrl,
      grant_type: 'client_credentials',
      client_id: account('secure').clientId,
      client_secret: account('secure').clientSecret,
      client_certificate: secureClient.cert,
      client_key: secureClient.key,
      ca_certificate: certificates.ca.cert,
    }),
  );
  await secrets.create(`${PREFIX}broken`, JSON.stringify({ client_id: 'x' }));
  const table = await createTestTable();
  const env = {
    ...testEnvironment(table, simulator.url, {}, { reconcileAfterSeconds: 0 }),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    TENANTS_SECRET_PREFIX: PREFIX,
  };
  const finish = await loadHandler('finish', env);
  const callback = await loadHandler('callback', env);
  const reconcile = await loadHandler('reconcile', env);
  world = { table, simulator, secrets, finish, callback, reconcile };
}, 120_000);

afterAll(async () => {
  output?.stop();
  vi.unstubAllEnvs();
  await world?.simulator.close();
  await world?.secrets.stop();
  await world?.table.drop();
});

const finishEvents = (...events: Record<string, unknown>[]) =>
  world.finish.handler(
    sqsEvent(
      ...events.map((event) =>
        sqsRecord(signingEventBody({ signerEmail: 'signer@x.com', ...event })),
      ),
    ),
    lambdaContext(60_000),
  );

const callsTo = (enterprise: string, operation: string) =>
  world.simulator.enterprise(enterprise).calls.filter((call) => call.operation === operation);

describe('finish for several tenants', () => {
  it('finishes the same package id in the default tenant and in acme, each at its own SigningHub', async () => {
    const answer = await finishEvents({ packageId: 7 }, { packageId: 7, tenant: 'acme' });
    expect(answer.batchItemFailures).toEqual([]);
    expect(callsTo('default', 'finish').map((call) => call.packageId)).toContain(7);
    expect(callsTo('acme', 'finish').map((call) => call.packageId)).toEqual([7]);
    const items = await scanAll(world.table);
    expect(
      items.find(
        (item) => item.pk === 'TENANT#acme#PACKAGE#7' && item.sk === 'FINISH#signer@x.com',
      ),
    ).toMatchObject({ status: 'SUCCEEDED', tenant: 'acme' });
    expect(
      items.find((item) => item.pk === 'PACKAGE#7' && item.sk === 'FINISH#signer@x.com'),
    ).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('finishes for beta with client credentials: the account token, then the signer’s from the scope call', async () => {
    const answer = await finishEvents({ packageId: 8, tenant: 'beta' });
    expect(answer.batchItemFailures).toEqual([]);
    expect(callsTo('beta', 'authenticate').map((call) => call.scope)).toEqual(['']);
    expect(callsTo('beta', 'scope').map((call) => call.scope)).toEqual(['signer@x.com']);
    expect(callsTo('beta', 'finish').map((call) => call.tokenScope)).toEqual(['signer@x.com']);
  });

  it('finishes for secure over HTTPS with its own client certificate, and no other tenant presents it', async () => {
    const answer = await finishEvents({ packageId: 9, tenant: 'secure' });
    expect(answer.batchItemFailures).toEqual([]);
    expect(callsTo('secure', 'finish').map((call) => call.packageId)).toEqual([9]);
  });

  it('hands back, unsent, the events of an unknown tenant and of one whose settings are broken', async () => {
    const before = world.simulator.enterprises.map(
      (name) => world.simulator.enterprise(name).calls.length,
    );
    const answer = await finishEvents(
      { packageId: 10, tenant: 'nobody' },
      { packageId: 11, tenant: 'broken' },
    );
    expect(answer.batchItemFailures).toHaveLength(2);
    const after = world.simulator.enterprises.map(
      (name) => world.simulator.enterprise(name).calls.length,
    );
    expect(after).toEqual(before);
    const items = await scanAll(world.table);
    expect(
      items.filter(
        (item) =>
          String(item.pk).includes('#PACKAGE#1') && [10, 11].includes(Number(item.packageId)),
      ),
    ).toEqual([]);
  });
});

describe('callbacks for several tenants', () => {
  it('confirms an acme package with acme’s SigningHub on the tenant route, and names the tenant', async () => {
    world.simulator.enterprise('acme').createPackage(20, []);
    world.simulator.enterprise('acme').setWorkflowStatus(20, 'COMPLETED');
    const answer = await world.callback.handler(
      callbackEvent({ tenant: 'acme', secret: ACME_CALLBACK, query: { package_id: '20' } }),
      lambdaContext(20_000),
    );
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(String(answer.body))).toEqual({
      packageId: 20,
      status: 'COMPLETED',
      tenant: 'acme',
    });
    expect(callsTo('acme', 'workflow').map((call) => call.packageId)).toEqual([20]);
  });

  it.each([
    ['an unknown tenant', { tenant: 'nobody', secret: ACME_CALLBACK }],
    ['another tenant’s secret', { tenant: 'acme', secret: TEST_CALLBACK_SECRET }],
    ['a tenant without a callback secret', { tenant: 'beta', secret: ACME_CALLBACK }],
    ['a broken tenant', { tenant: 'broken', secret: ACME_CALLBACK }],
  ])('answers %s like a wrong secret, storing nothing', async (_what, path) => {
    const before = (await scanAll(world.table)).length;
    const answer = await world.callback.handler(
      callbackEvent({ ...path, query: { package_id: '21' } }),
      lambdaContext(20_000),
    );
    expect({ status: answer.statusCode, body: JSON.parse(String(answer.body)) }).toEqual({
      status: 401,
      body: { message: 'Unauthorized' },
    });
    expect((await scanAll(world.table)).length).toBe(before);
  });
});

describe('reconcile across tenants', () => {
  it('confirms every tenant’s open packages with its own SigningHub, and skips a broken tenant', async () => {
    // acme's 30 and beta's 30 are open in the table; SigningHub has both COMPLETED.
    await finishEvents({ packageId: 30, tenant: 'acme' }, { packageId: 30, tenant: 'beta' });
    for (const name of ['acme', 'beta'])
      world.simulator.enterprise(name).setWorkflowStatus(30, 'COMPLETED');
    const summary = await world.reconcile.handler(scheduledEvent(), lambdaContext(60_000));
    expect(summary).toMatchObject({ skipped: [] });
    const items = await scanAll(world.table);
    for (const tenant of ['acme', 'beta']) {
      expect(
        items.find((item) => item.pk === `TENANT#${tenant}#PACKAGE#30` && item.sk === 'PACKAGE'),
      ).toMatchObject({ status: 'COMPLETED', tenant });
    }
  });
});

describe('the tenants’ secrets in the logs', () => {
  it('never prints a client secret, password, callback secret or private key of any tenant', () => {
    const printed = output.text();
    // The tests above did print: finishes, refusals, a skipped tenant.
    expect(printed).toContain('"tenant":"acme"');
    expect(printed).toContain('broken');
    for (const value of secretValues) expect(printed).not.toContain(value);
    expect(printed).not.toContain('PRIVATE KEY');
  });
});
