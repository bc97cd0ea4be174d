import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import {
  callbackSecretReader,
  defaultAccessReader,
  SecretError,
  SecretNotFoundError,
  stageReader,
} from '../../../lib/aws/secrets.ts';
import type { SigningHubAccess } from '../../../lib/signinghub/access.ts';
import { motoClientConfig } from '../../support/moto-deploy.ts';
import { rejection } from '../../support/rejection.ts';
import { withFakeDate, withMotoSecretsClient } from './secrets-fixture.ts';

const moto = withMotoSecretsClient();
const pass = withFakeDate();

const MAX_AGE = 300;

const full = {
  client_id: 'app',
  client_secret: 'the-client-secret',
  username: 'admin@example.com',
  password: 'the-password',
};

const credentialsFrom = (secretId: string, partial = {}, maxAge = MAX_AGE) =>
  defaultAccessReader(
    {
      baseUrl: 'https://sh.example.com',
      apiVersion: 'v4',
      credentials: { kind: 'secret', secretId, partial, grantType: undefined },
    },
    moto().client,
    maxAge,
  );

/** The password of a password grant. */
const passwordOf = (access: SigningHubAccess): string | undefined =>
  access.grant.type === 'password' ? access.grant.password : undefined;

const callbackSecretFrom = (secretId: string, maxAge = MAX_AGE) =>
  callbackSecretReader({ kind: 'secret', secretId }, moto().client, maxAge);

describe('defaultAccessReader: the credentials secret', () => {
  it('reads the JSON secret by name', async () => {
    await moto().secrets.create('prod/signinghub', JSON.stringify(full));
    expect(await credentialsFrom('prod/signinghub')()).toEqual({
      tenant: 'default',
      baseUrl: 'https://sh.example.com',
      apiVersion: 'v4',
      grant: {
        type: 'password',
        clientId: 'app',
        clientSecret: 'the-client-secret',
        username: 'admin@example.com',
        password: 'the-password',
      },
      tls: undefined,
    });
  });

  it('lets variables that are set win over the secret', async () => {
    await moto().secrets.create(
      'partial',
      JSON.stringify({ ...full, username: 'from-secret@example.com' }),
    );
    const { grant } = await credentialsFrom('partial', { username: 'from-env@example.com' })();
    expect(grant).toMatchObject({ username: 'from-env@example.com' });
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
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error.name).toBe('SecretNotFoundError');
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
    expect(passwordOf(await read())).toBe('the-password');
    await secrets.put('rotating', JSON.stringify({ ...full, password: 'rotated-password' }));
    pass(MAX_AGE - 1);
    expect(passwordOf(await read())).toBe('the-password');
    expect(secrets.reads('rotating')).toBe(1);
    pass(2);
    expect(passwordOf(await read())).toBe('rotated-password');
    expect(secrets.reads('rotating')).toBe(2);
  });

  it('reads past the cache when forced', async () => {
    const { secrets } = moto();
    await secrets.create('forced', JSON.stringify(full));
    const read = credentialsFrom('forced');
    await read();
    await secrets.put('forced', JSON.stringify({ ...full, password: 'rotated-password' }));
    expect(passwordOf(await read({ forceFetch: true }))).toBe('rotated-password');
    expect(passwordOf(await read())).toBe('rotated-password');
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

/**
 * A client of the functions' side of moto whose reads of `stage` fail with `name`, before they are
 * sent: one staging label can fail while the other is read.
 */
const failingOn = (stage: string, name: string): (() => SecretsManagerClient) => {
  const client = new SecretsManagerClient(motoClientConfig(moto().secrets, 'us-east-1'));
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { VersionStage?: string };
      if (input.VersionStage === stage) throw Object.assign(new Error('refused'), { name });
      return next(args);
    },
    { step: 'initialize' },
  );
  return () => client;
};

describe('stageReader: one staging label of one secret', () => {
  it('numbers each read from Secrets Manager, the cache’s answers keeping the number', async () => {
    await moto().secrets.create('numbered', 'first-value');
    const read = stageReader(moto().client, 'numbered', 'AWSCURRENT', MAX_AGE);
    expect(await read()).toEqual({ text: 'first-value', read: 1 });
    expect(await read()).toEqual({ text: 'first-value', read: 1 });
    expect(await read({ forceFetch: true })).toEqual({ text: 'first-value', read: 2 });
  });

  it('refuses a secret that holds binary, not a SecretString', async () => {
    const operator = new SecretsManagerClient(motoClientConfig(moto().secrets, 'us-east-1'));
    await operator.send(
      new CreateSecretCommand({ Name: 'binary', SecretBinary: new TextEncoder().encode('bin') }),
    );
    operator.destroy();
    const error = await rejection(stageReader(moto().client, 'binary', 'AWSCURRENT', MAX_AGE)());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe('the secret "binary" has no SecretString');
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

  it('accepts values of 16 characters, each trimmed, the previous one too', async () => {
    const { secrets } = moto();
    await secrets.create('cb/edge', ` ${'p'.repeat(16)} `);
    await secrets.put('cb/edge', 'c'.repeat(16));
    expect(await callbackSecretFrom('cb/edge')()).toEqual(['c'.repeat(16), 'p'.repeat(16)]);
  });

  it('names the staging label of a previous version it could not read', async () => {
    const { secrets } = moto();
    await secrets.create('cb/previous-denied', first);
    await secrets.put('cb/previous-denied', second);
    const read = callbackSecretReader(
      { kind: 'secret', secretId: 'cb/previous-denied' },
      failingOn('AWSPREVIOUS', 'AccessDeniedException'),
      MAX_AGE,
    );
    const error = await rejection(read());
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toBe(
      'could not read the secret "cb/previous-denied" (AWSPREVIOUS) from Secrets Manager: AccessDeniedException',
    );
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
