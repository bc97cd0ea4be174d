import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resolveCallbackSecret,
  resolveCredentials,
  SecretError,
} from '../../../lib/aws/secrets.ts';
import {
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../support/secrets-manager-emulator.ts';

let emulator: SecretsManagerEmulator;
let client: SecretsManagerClient;
beforeAll(async () => {
  emulator = await startSecretsManagerEmulator();
  client = new SecretsManagerClient({ endpoint: emulator.url });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

const full = {
  client_id: 'app',
  client_secret: 'the-client-secret',
  username: 'admin@example.com',
  password: 'the-password',
};

describe('resolveCredentials', () => {
  it('reads the JSON secret by name', async () => {
    emulator.put('prod/signinghub', JSON.stringify(full));
    expect(
      await resolveCredentials(
        { kind: 'secret', secretId: 'prod/signinghub', partial: {} },
        () => client,
      ),
    ).toEqual({
      clientId: 'app',
      clientSecret: 'the-client-secret',
      username: 'admin@example.com',
      password: 'the-password',
    });
  });

  it('lets variables that are set win over the secret', async () => {
    emulator.put('partial', JSON.stringify({ ...full, username: 'from-secret@example.com' }));
    const credentials = await resolveCredentials(
      { kind: 'secret', secretId: 'partial', partial: { username: 'from-env@example.com' } },
      () => client,
    );
    expect(credentials.username).toBe('from-env@example.com');
  });

  it('names missing keys, and never the values it did find', async () => {
    emulator.put('lacking', JSON.stringify({ client_id: 'app', password: 'the-password' }));
    const error = await resolveCredentials(
      { kind: 'secret', secretId: 'lacking', partial: {} },
      () => client,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretError);
    expect((error as Error).message).toContain('client_secret, username');
    expect((error as Error).message).not.toContain('the-password');
  });

  it('says which secret could not be read', async () => {
    await expect(
      resolveCredentials({ kind: 'secret', secretId: 'nope', partial: {} }, () => client),
    ).rejects.toThrow(
      'could not read the secret "nope" from Secrets Manager: ResourceNotFoundException',
    );
  });

  it('refuses a secret that is not JSON without echoing it', async () => {
    emulator.put('text', 'plain-text-password');
    const error = await resolveCredentials(
      { kind: 'secret', secretId: 'text', partial: {} },
      () => client,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('the secret "text" is not JSON');
  });
});

describe('resolveCallbackSecret', () => {
  it('reads a plain string secret and refuses a short one', async () => {
    emulator.put('cb', '  0123456789abcdef0123  ');
    emulator.put('short', 'abc');
    expect(await resolveCallbackSecret({ kind: 'secret', secretId: 'cb' }, () => client)).toBe(
      '0123456789abcdef0123',
    );
    await expect(
      resolveCallbackSecret({ kind: 'secret', secretId: 'short' }, () => client),
    ).rejects.toThrow('at least 16 characters');
  });
});
