import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { functionEnvironment } from '../../harness/function-env.ts';
import { lambdaContext } from '../../harness/lambda-context.ts';
import { type SecretsStandIn, startSecretsStandIn } from '../../harness/secrets-stand-in.ts';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  startSimulator,
} from '../../harness/simulator/signinghub-simulator.ts';
import type { SigningHubSimulator, SimulatorCredentials } from '../../harness/simulator/types.ts';
import { createTestTable, type TestTable } from '../support/dynamodb.ts';
import { callbackEvent, signingEventBody, sqsEvent, sqsRecord } from '../support/factories.ts';
import { AS_DEPLOYED, loadHandler, TEST_CALLBACK_SECRET } from '../support/function-stack.ts';

// The Secrets Manager stand-in npm start runs instead of moto: the SDK's own client reads and
// writes it, and the functions read a tenant's settings from it as they would from AWS.

const NAME = 'stand-in/tenants/acme';
const FIRST = '{"callback_secret":"first-callback-secret-0123"}';
const SECOND = '{"callback_secret":"second-callback-secret-456"}';

let standIn: SecretsStandIn;
let client: SecretsManagerClient;
const lines: string[] = [];

beforeAll(async () => {
  standIn = await startSecretsStandIn({ secrets: { [NAME]: FIRST }, log: (l) => lines.push(l) });
  client = new SecretsManagerClient({
    endpoint: standIn.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});

const read = (SecretId: string, VersionStage?: string) =>
  client.send(new GetSecretValueCommand({ SecretId, ...(VersionStage ? { VersionStage } : {}) }));

/** What the SDK made of an error answer: its name and HTTP status. */
const failure = async (sending: Promise<unknown>) => {
  const error = await sending.then(
    () => undefined,
    (caught: unknown) => caught as { name: string; message: string; $metadata: object },
  );
  return error && { name: error.name, message: error.message, $metadata: error.$metadata };
};

describe('the Secrets Manager stand-in, through the SDK’s SecretsManagerClient', () => {
  it('answers GetSecretValue with the AWSCURRENT version, by name or by ARN', async () => {
    const current = await read(NAME);
    const byArn = await read(String(current.ARN), 'AWSCURRENT');

    expect(current).toMatchObject({
      Name: NAME,
      SecretString: FIRST,
      VersionStages: ['AWSCURRENT'],
      VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ARN: expect.stringMatching(
        /^arn:aws:secretsmanager:local:000000000000:secret:.+-[0-9a-f]{6}$/,
      ),
    });
    expect(current.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (current.CreatedDate?.getTime() ?? 0))).toBeLessThan(600_000);
    expect(byArn).toMatchObject({ Name: NAME, VersionId: current.VersionId });
  });

  it('answers an unknown secret, and a staging label no version has, with ResourceNotFoundException (400)', async () => {
    const unknown = await failure(read('stand-in/tenants/nobody'));
    const previous = await failure(read(NAME, 'AWSPREVIOUS'));

    expect(unknown).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });
    expect(previous).toMatchObject({
      name: 'ResourceNotFoundException',
      message:
        "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('moves AWSCURRENT to a new version on PutSecretValue, the one before to AWSPREVIOUS', async () => {
    const before = await read(NAME);
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: NAME, SecretString: SECOND }),
    );
    const current = await read(NAME);
    const previous = await read(NAME, 'AWSPREVIOUS');
    const third = standIn.put(NAME, '{"third":true}');

    expect(put).toMatchObject({ Name: NAME, VersionStages: ['AWSCURRENT'] });
    expect(current).toMatchObject({ SecretString: SECOND, VersionId: put.VersionId });
    expect(previous).toMatchObject({
      SecretString: FIRST,
      VersionId: before.VersionId,
      VersionStages: ['AWSPREVIOUS'],
    });
    expect(await read(NAME, 'AWSPREVIOUS')).toMatchObject({ VersionId: put.VersionId });
    expect(await read(NAME)).toMatchObject({ VersionId: third, SecretString: '{"third":true}' });
    // The first version carries no label any more: gone, as Secrets Manager deprecates it.
    expect(
      await failure(
        client.send(new GetSecretValueCommand({ SecretId: NAME, VersionId: before.VersionId })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(
      await failure(
        client.send(new PutSecretValueCommand({ SecretId: 'no/such', SecretString: 'x' })),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses an operation it does not serve by name, and logs names, never values', async () => {
    const describe = await failure(client.send(new DescribeSecretCommand({ SecretId: NAME })));

    expect(describe).toMatchObject({
      name: 'UnknownOperationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(lines).toContain(`GetSecretValue ${NAME} (AWSCURRENT) → 200`);
    expect(lines).toContain(`GetSecretValue ${NAME} (AWSPREVIOUS) → ResourceNotFoundException`);
    expect(lines).toContain(`PutSecretValue ${NAME} (new version) → 200`);
    expect(lines).toContain('DescribeSecret → UnknownOperationException');
    expect(lines.join('\n')).not.toMatch(/callback-secret|third/);
  });
});

const PREFIX = 'local/tenants/';
const ACME: SimulatorCredentials = {
  clientId: 'acme-client',
  clientSecret: 'acme-client-secret',
  username: 'admin@acme.example',
  password: 'acme-password',
};
const ACME_CALLBACK = 'acme-callback-secret-0123456789';

describe('the functions reading a tenant’s settings from the stand-in', () => {
  let simulator: SigningHubSimulator;
  let table: TestTable;
  let secrets: SecretsStandIn;

  let finish: Awaited<ReturnType<typeof loadHandler<'finish'>>>;
  let callback: Awaited<ReturnType<typeof loadHandler<'callback'>>>;
  let rotate: () => void;

  beforeAll(async () => {
    simulator = await startSimulator({
      enterprises: { acme: { credentials: ACME, grants: ['client_credentials'] } },
    });
    table = await createTestTable();
    const settings = (callbackSecret: string) =>
      JSON.stringify({
        base_url: simulator.enterprise('acme').url,
        grant_type: 'client_credentials',
        client_id: ACME.clientId,
        client_secret: ACME.clientSecret,
        callback_secret: callbackSecret,
      });
    secrets = await startSecretsStandIn({
      secrets: { [`${PREFIX}acme`]: settings(ACME_CALLBACK) },
    });
    const env = {
      ...functionEnvironment({
        tableName: table.tableName,
        dynamoDbEndpoint: table.endpoint,
        signingHubUrl: simulator.url,
        credentials: DEFAULT_SIMULATOR_CREDENTIALS,
        signingHubTimeoutMs: 2_000,
        callbackSecret: TEST_CALLBACK_SECRET,
        tenantsSecretPrefix: PREFIX,
        secretsManagerEndpoint: secrets.endpoint,
        ...AS_DEPLOYED,
      }),
      // Read the secret on every call, so a new version counts at once.
      POWERTOOLS_PARAMETERS_MAX_AGE: '0',
    };
    finish = await loadHandler('finish', env);
    callback = await loadHandler('callback', env);
    rotate = () => secrets.put(`${PREFIX}acme`, settings('acme-rotated-callback-secret-42'));
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await simulator?.close();
    await secrets?.close();
    await table?.drop();
  });

  const callAcme = (secret: string, packageId: number) =>
    callback.handler(
      callbackEvent({ tenant: 'acme', secret, query: { package_id: String(packageId) } }),
      lambdaContext(20_000),
    );

  it('finishes an acme event with acme’s SigningHub, and hands back a tenant without a secret', async () => {
    const answer = await finish.handler(
      sqsEvent(
        sqsRecord(signingEventBody({ packageId: 61, signerEmail: 's@x.com', tenant: 'acme' })),
        sqsRecord(signingEventBody({ packageId: 62, signerEmail: 's@x.com', tenant: 'nobody' })),
      ),
      lambdaContext(60_000),
    );

    expect(answer.batchItemFailures).toHaveLength(1);
    const acme = simulator.enterprise('acme').calls;
    expect(acme.filter((c) => c.operation === 'finish').map((c) => c.packageId)).toEqual([61]);
    expect(acme.find((c) => c.operation === 'authenticate')?.grantType).toBe('client_credentials');
    expect(simulator.calls.filter((c) => c.operation === 'finish')).toEqual([]);
  });

  it('accepts acme’s callback secret, then the rotated one and, while AWSPREVIOUS holds it, the old one', async () => {
    simulator.enterprise('acme').createPackage(63, []);
    simulator.enterprise('acme').setWorkflowStatus(63, 'COMPLETED');

    const before = await callAcme(ACME_CALLBACK, 63);
    rotate();
    const rotated = await callAcme('acme-rotated-callback-secret-42', 63);
    const previous = await callAcme(ACME_CALLBACK, 63);
    const wrong = await callAcme('not-acme-callback-secret-000', 63);

    expect(before.statusCode).toBe(200);
    expect(JSON.parse(String(before.body))).toEqual({
      packageId: 63,
      status: 'COMPLETED',
      tenant: 'acme',
    });
    expect(rotated.statusCode).toBe(200);
    expect(previous.statusCode).toBe(200);
    expect(wrong.statusCode).toBe(401);
  });
});
