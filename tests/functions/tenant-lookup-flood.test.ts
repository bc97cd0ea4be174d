import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { startSimulator } from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator } from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { emfBlobs, emfTotal } from '../support/emf.ts';
import {
  callbackEvent,
  scheduledEvent,
  signingEventBody,
  sqsEvent,
  sqsRecord,
} from '../support/factories.ts';
import { loadHandler, testEnvironment } from '../support/function-stack.ts';
import { type MotoSecrets, startMotoSecrets } from '../support/moto-secrets.ts';
import { captureOutput } from '../support/output-capture.ts';
import { itemAt } from '../support/table-items.ts';

const PREFIX = 'flood/tenants/';
const GAMMA_CALLBACK = 'gamma-callback-secret-0123456789';
const gamma = {
  clientId: 'gamma-client',
  clientSecret: 'gamma-client-secret',
  username: 'admin@gamma.example',
  password: 'gamma-password',
};

let table: TestTable;
let simulator: SigningHubSimulator;
let secrets: MotoSecrets;
let env: Record<string, string>;

beforeAll(async () => {
  simulator = await startSimulator({ enterprises: { gamma: { credentials: gamma } } });
  secrets = await startMotoSecrets();
  await secrets.create(
    `${PREFIX}gamma`,
    JSON.stringify({
      base_url: simulator.enterprise('gamma').url,
      client_id: gamma.clientId,
      client_secret: gamma.clientSecret,
      username: gamma.username,
      password: gamma.password,
      callback_secret: GAMMA_CALLBACK,
    }),
  );
  table = await createTestTable();
  env = {
    ...testEnvironment(table, simulator.url, {}, { reconcileAfterSeconds: 0 }),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    TENANTS_SECRET_PREFIX: PREFIX,
  };
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await simulator?.close();
  await secrets?.stop();
  await table?.drop();
});

// The bound counts per clock minute: each test runs inside one (the clock held at its start), so a
// slow machine cannot carry a flood across a minute's turn and double what it may read.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-07T08:00:01Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

/** Callbacks for names nobody configured, each one not yet known to the instance. */
const invented = (count: number) => Array.from({ length: count }, (_, i) => `invented-${i}`);

describe('a flood of invented tenant names on the callback route', () => {
  it('costs at most the bound of secret reads a minute, refuses past it without a read, and the reconciler still confirms', async () => {
    // gamma's package 77 exists in the table: its signer's finish went through.
    const finish = await loadHandler('finish', env);
    const finished = await finish.handler(
      sqsEvent(
        sqsRecord(
          signingEventBody({ packageId: 77, signerEmail: 's@gamma.example', tenant: 'gamma' }),
        ),
      ),
      lambdaContext(60_000),
    );
    expect(finished.batchItemFailures).toEqual([]);
    simulator.enterprise('gamma').setWorkflowStatus(77, 'COMPLETED');

    // A fresh callback instance meets the flood before it has ever seen gamma.
    const callback = await loadHandler('callback', env);
    const answers: number[] = [];
    for (const tenant of invented(320)) {
      const answer = await callback.handler(
        callbackEvent({ tenant, secret: GAMMA_CALLBACK, query: { package_id: '77' } }),
        lambdaContext(20_000),
      );
      answers.push(answer.statusCode ?? 0);
    }
    expect(new Set(answers)).toEqual(new Set([401]));
    const lookups = invented(320).filter((tenant) => secrets.reads(`${PREFIX}${tenant}`) > 0);
    // The bound: 300 names not yet known per instance and minute; none read past it.
    expect(lookups.length).toBe(300);

    // gamma's own callback, past the bound, is refused like the flood, and reads nothing.
    const refused = await callback.handler(
      callbackEvent({ tenant: 'gamma', secret: GAMMA_CALLBACK, query: { package_id: '77' } }),
      lambdaContext(20_000),
    );
    expect(refused.statusCode).toBe(401);
    expect(secrets.reads(`${PREFIX}gamma`, 'AWSCURRENT')).toBe(1); // finish's read, not the callback's
    expect((await itemAt(table, 'TENANT#gamma#PACKAGE#77', 'PACKAGE'))?.status).toBe('IN_PROGRESS');

    // The reconciler confirms the package whose callback was refused (its change now in the past).
    vi.setSystemTime(new Date('2026-12-07T08:00:02Z'));
    const reconcile = await loadHandler('reconcile', env);
    await reconcile.handler(scheduledEvent(), lambdaContext(60_000));
    expect((await itemAt(table, 'TENANT#gamma#PACKAGE#77', 'PACKAGE'))?.status).toBe('COMPLETED');
  }, 180_000);

  it('counts the refusals past the bound', async () => {
    vi.setSystemTime(new Date('2026-12-07T08:05:01Z'));
    const callback = await loadHandler('callback', env);
    const output = captureOutput();
    try {
      for (const tenant of invented(305)) {
        await callback.handler(
          callbackEvent({
            tenant: `again-${tenant}`,
            secret: GAMMA_CALLBACK,
            query: { package_id: '1' },
          }),
          lambdaContext(20_000),
        );
      }
      const blobs = emfBlobs(output.lines());
      expect(emfTotal(blobs, 'TenantLookupsThrottled')).toBe(5);
      expect(emfTotal(blobs, 'CallbackUnauthorised')).toBe(305);
    } finally {
      output.stop();
    }
  }, 180_000);
});
