import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callbackSecretReader, credentialsReader, SecretError } from '../../../lib/aws/secrets.ts';
import { withDeployTools } from '../../support/deploy-tools.ts';
import { startMotoSecrets } from '../../support/moto-secrets.ts';
import { rejection } from '../../support/rejection.ts';

const moto = withDeployTools(async (defer) => {
  const secrets = await startMotoSecrets();
  defer(() => secrets.stop());
  const client = new SecretsManagerClient({
    endpoint: secrets.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
  });
  defer(async () => client.destroy());
  return { secrets, client: () => client };
}, 60_000);

// Powertools' cache reads the clock (Date) to decide what has expired; nothing else is faked.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});
const pass = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

const MAX_AGE = 300;

const full = {
  client_id: 'app',
  client_secret: 'the-client-secret',
  username: 'admin@example.com',
  password: 'the-password',
};

const credentialsFrom = (secretId: string, partial = {}, maxAge = MAX_AGE) =>
  credentialsReader({ kind: 'secret', secretId, partial }, moto().client, maxAge);

const callbackSecretFrom = (secretId: string, maxAge = MAX_AGE) =>
  callbackSecretReader({ kind: 'secret', secretId }, moto().client, maxAge);

describe('credentialsReader', () => {
  it('reads the JSON secret by name', async () => {
    await moto().secrets.create('prod/signinghub', JSON.stringify(full));
    expect(await credentialsFrom('prod/signinghub')()).toEqual({
      clientId: 'app',
      clientSecret: 'the-client-secret',
      username: 'admin@example.com',
      password: 'the-password',
    });
  });

  it('lets variables that are set win over the secret', async () => {
    await moto().secrets.create(
      'partial',
      JSON.stringify({ ...full, username: 'from-secret@example.com' }),
    );
    const credentials = await credentialsFrom('partial', { username: 'from-env@example.com' })();
    expect(credentials.username).toBe('from-env@example.com');
  });

  it('names missing keys, and never the values it did find', async () => {
    await moto().secrets.create(
      'lacking',
      JSON.stringify({ client_id: 'app', password: 'the-password' }),
    );
    const error = await rejection(credentialsFrom('lacking')());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toContain('client_secret, username');
    expect(error.message).not.toContain('the-password');
  });

  it('says which secret could not be read', async () => {
    const error = await rejection(credentialsFrom('nope')());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      'could not read the secret "nope" from Secrets Manager: ResourceNotFoundException',
    );
  });

  it('refuses a secret that is not JSON without echoing it', async () => {
    await moto().secrets.create('text', 'plain-text-password');
    const error = await rejection(credentialsFrom('text')());
    expect(error.message).toBe('the secret "text" is not JSON');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(
      'plain-text-password',
    );
  });

  it('keeps what it read for the maximum age, then reads the rotated value', async () => {
    const { secrets } = moto();
    await secrets.create('rotating', JSON.stringify(full));
    const read = credentialsFrom('rotating');
    expect((await read()).password).toBe('the-password');
    await secrets.put('rotating', JSON.stringify({ ...full, password: 'rotated-password' }));
    pass(MAX_AGE - 1);
    expect((await read()).password).toBe('the-password');
    expect(secrets.reads('rotating')).toBe(1);
    pass(2);
    expect((await read()).password).toBe('rotated-password');
    expect(secrets.reads('rotating')).toBe(2);
  });

  it('reads past the cache when forced', async () => {
    const { secrets } = moto();
    await secrets.create('forced', JSON.stringify(full));
    const read = credentialsFrom('forced');
    await read();
    await secrets.put('forced', JSON.stringify({ ...full, password: 'rotated-password' }));
    expect((await read({ forceFetch: true })).password).toBe('rotated-password');
    expect((await read()).password).toBe('rotated-password');
    expect(secrets.reads('forced')).toBe(2);
  });

  it('shares one read among calls made at once', async () => {
    const { secrets } = moto();
    await secrets.create('shared', JSON.stringify(full));
    const read = credentialsFrom('shared');
    await Promise.all([read(), read(), read()]);
    expect(secrets.reads('shared')).toBe(1);
  });

  it('reads on every call with a maximum age of 0', async () => {
    const { secrets } = moto();
    await secrets.create('uncached', JSON.stringify(full));
    const read = credentialsFrom('uncached', {}, 0);
    await read();
    await read();
    expect(secrets.reads('uncached')).toBe(2);
  });
});

describe('callbackSecretReader', () => {
  const first = 'first-callback-secret-0123';
  const second = 'second-callback-secret-4567';

  it('accepts CALLBACK_SECRET alone, reading nothing', async () => {
    const read = callbackSecretReader({ kind: 'env', secret: first }, moto().client, MAX_AGE);
    expect(await read()).toEqual([first]);
  });

  it('accepts the only version there is, and reads the missing AWSPREVIOUS once per age', async () => {
    const { secrets } = moto();
    await secrets.create('cb/first-version', `  ${first}  `);
    const read = callbackSecretFrom('cb/first-version');
    expect(await read()).toEqual([first]);
    expect(await read()).toEqual([first]);
    expect(secrets.reads('cb/first-version', 'AWSPREVIOUS')).toBe(1);
    expect(secrets.reads('cb/first-version', 'AWSCURRENT')).toBe(1);
  });

  it('accepts the current and the previous value once the maximum age has passed', async () => {
    const { secrets } = moto();
    await secrets.create('cb/rotated', first);
    const read = callbackSecretFrom('cb/rotated');
    expect(await read()).toEqual([first]);
    await secrets.put('cb/rotated', second);
    pass(MAX_AGE - 1);
    expect(await read()).toEqual([first]);
    pass(2);
    expect(await read()).toEqual([second, first]);
  });

  it('stops accepting the previous value once AWSPREVIOUS is removed and the age has passed', async () => {
    const { secrets } = moto();
    await secrets.create('cb/revoked', first);
    await secrets.put('cb/revoked', second);
    const read = callbackSecretFrom('cb/revoked');
    expect(await read()).toEqual([second, first]);
    await secrets.removePrevious('cb/revoked');
    pass(MAX_AGE + 1);
    expect(await read()).toEqual([second]);
  });

  it('refuses a short current value by name, and does not accept a short previous one', async () => {
    const { secrets } = moto();
    await secrets.create('cb/short', 'short-value');
    const error = await rejection(callbackSecretFrom('cb/short')());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe('the secret "cb/short" must hold at least 16 characters');
    await secrets.put('cb/short', second);
    expect(await callbackSecretFrom('cb/short')()).toEqual([second]);
  });

  it('does not cache a failed read: the next call reads again', async () => {
    const { secrets } = moto();
    await secrets.create('cb/failing', first);
    await secrets.markDeleted('cb/failing');
    const read = callbackSecretFrom('cb/failing');
    const error = await rejection(read());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      'could not read the secret "cb/failing" from Secrets Manager: InvalidRequestException',
    );
    await secrets.restore('cb/failing');
    expect(await read()).toEqual([first]);
  });
});
