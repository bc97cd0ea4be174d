import { beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyPair,
  makeTestCertificates,
  type TestCertificates,
} from '../../../harness/test-certificates.ts';
import { certificateExpiry, grantFromKeys } from '../../../lib/tenants/settings-keys.ts';
import {
  earlierCallbackSecrets,
  parseTenantSettings,
  TenantSettingsError,
} from '../../../lib/tenants/tenant-settings.ts';

let certificates: TestCertificates;
let client: KeyPair;
beforeAll(async () => {
  certificates = await makeTestCertificates();
  client = await certificates.client('acme', 10);
}, 60_000);

const CALLBACK = 'acme-callback-secret-0123';
const PREVIOUS = 'acme-previous-secret-4567';

const minimal = {
  base_url: 'https://acme.signinghub.example/',
  client_id: 'acme-app',
  client_secret: 'acme-client-secret-value',
  username: 'admin@acme.example',
  password: 'acme-password-value',
};

const parse = (settings: Record<string, unknown>) =>
  parseTenantSettings('acme', JSON.stringify(settings));

const failure = (text: string): TenantSettingsError => {
  try {
    parseTenantSettings('acme', text);
  } catch (error) {
    if (error instanceof TenantSettingsError) return error;
    throw error;
  }
  throw new Error('the settings were accepted');
};

describe('parseTenantSettings', () => {
  it('reads the password grant by default, v3, no TLS and no callback secret', () => {
    expect(parse(minimal)).toEqual({
      access: {
        tenant: 'acme',
        baseUrl: 'https://acme.signinghub.example',
        apiVersion: 'v3',
        grant: {
          type: 'password',
          clientId: 'acme-app',
          clientSecret: 'acme-client-secret-value',
          username: 'admin@acme.example',
          password: 'acme-password-value',
        },
        tls: undefined,
      },
      callbackSecrets: [],
    });
  });

  it('reads client credentials without an account, v4, TLS and both callback secrets', () => {
    const settings = parse({
      base_url: 'http://127.0.0.1:3010/api',
      api_version: 'v4',
      grant_type: 'client_credentials',
      client_id: 'acme-app',
      client_secret: 'acme-client-secret-value',
      client_certificate: client.cert,
      client_key: client.key,
      ca_certificate: `${certificates.ca.cert}\n${certificates.otherCa.cert}`,
      callback_secret: CALLBACK,
      previous_callback_secret: PREVIOUS,
    });
    expect(settings).toEqual({
      access: {
        tenant: 'acme',
        baseUrl: 'http://127.0.0.1:3010/api',
        apiVersion: 'v4',
        grant: {
          type: 'client_credentials',
          clientId: 'acme-app',
          clientSecret: 'acme-client-secret-value',
        },
        tls: {
          certificate: client.cert,
          key: client.key,
          ca: `${certificates.ca.cert}\n${certificates.otherCa.cert}`,
        },
      },
      callbackSecrets: [CALLBACK, PREVIOUS],
    });
  });

  it('reads a null key as an absent one, and base_url trimmed of any white space', () => {
    const { access, callbackSecrets } = parse({
      ...minimal,
      base_url: '\u00a0 https://acme.signinghub.example/api/ \u00a0',
      api_version: null,
      grant_type: null,
      client_certificate: null,
      client_key: null,
      callback_secret: null,
    });
    expect(access.baseUrl).toBe('https://acme.signinghub.example/api');
    expect(access.apiVersion).toBe('v3');
    expect(access.grant.type).toBe('password');
    expect(access.tls).toBeUndefined();
    expect(callbackSecrets).toEqual([]);
  });

  it('gives the client certificate’s end, for the warning', () => {
    const { access } = parse({
      ...minimal,
      client_certificate: client.cert,
      client_key: client.key,
    });
    const days = ((certificateExpiry(access.tls)?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9);
    expect(days).toBeLessThanOrEqual(10);
    expect(certificateExpiry(undefined)).toBeUndefined();
  });
});

/** A key, the value it is refused for, and the problem named. */
type Refusal = readonly [key: string, value: () => unknown, problem: string];

const REFUSALS: readonly Refusal[] = [
  [
    'base_url',
    () => 'ftp://acme.example/secret-path',
    ': base_url must be an absolute http(s) URL',
  ],
  ['base_url', () => 'not a url with-secret', ': base_url must be an absolute http(s) URL'],
  [
    'base_url',
    () => 'https://user:pw-secret@acme.example',
    ': base_url must not carry credentials, a query or a fragment',
  ],
  ['base_url', () => 17, ': base_url must be a string'],
  ['api_version', () => 'v5-secret', ': api_version must be v3 or v4'],
  ['grant_type', () => 'implicit-secret', ': grant_type must be password or client_credentials'],
  ['client_secret', () => 12345678, ': client_secret must be a string'],
  ['password', () => ['pw-secret'], ': password must be a string'],
  ['callback_secret', () => 'short-secret', ': callback_secret must be at least 16 characters'],
  [
    'callback_secret',
    () => 'callback/secret-0123456789',
    ': callback_secret must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
  ],
  [
    'previous_callback_secret',
    () => 'previous-secret 0123456789',
    ': previous_callback_secret must use only URL-safe characters (A-Z a-z 0-9 . _ ~ -)',
  ],
  ['client_key', () => client.key, ': client_certificate is required with client_key'],
  ['client_certificate', () => client.cert, ': client_key is required with client_certificate'],
  [
    'ca_certificate',
    () =>
      '-----BEGIN CERTIFICATE-----\nbm90LWEtY2VydGlmaWNhdGUtc2VjcmV0\n-----END CERTIFICATE-----',
    ': ca_certificate must hold PEM certificates',
  ],
  ['ca_certificate', () => 'plain-ca-secret-text', ': ca_certificate must hold PEM certificates'],
];

describe('what a tenant secret is refused for: the tenant and the key, never the value', () => {
  it.each(REFUSALS.map(([key, value, problem]) => ({ key, value, problem })))(
    '$key $problem',
    ({ key, value, problem }) => {
      const given = value();
      const error = failure(JSON.stringify({ ...minimal, [key]: given }));
      expect(error.message).toBe(`the settings of tenant "acme"${problem}`);
      expect(error.tenant).toBe('acme');
      expect(error.keys).toContain(
        key === 'client_key'
          ? 'client_certificate'
          : key === 'client_certificate'
            ? 'client_key'
            : key,
      );
      const shown = JSON.stringify(error, Object.getOwnPropertyNames(error));
      for (const piece of JSON.stringify(given).match(/[A-Za-z0-9+/=:.-]{6,}/g) ?? []) {
        expect(shown).not.toContain(piece);
      }
    },
  );

  it('names a key that is not the certificate’s', () => {
    const error = failure(
      JSON.stringify({
        ...minimal,
        client_certificate: client.cert,
        client_key: certificates.server.key,
      }),
    );
    expect(error.message).toBe(
      'the settings of tenant "acme": client_key is not the key of client_certificate',
    );
    expect(error.keys).toEqual(['client_key']);
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('names a key that is no private key, without quoting it', () => {
    const error = failure(
      JSON.stringify({
        ...minimal,
        client_certificate: client.cert,
        client_key: 'key-secret-text',
      }),
    );
    expect(error.message).toBe(
      'the settings of tenant "acme": client_key must be an unencrypted PEM private key',
    );
    expect(error.keys).toEqual(['client_key']);
    expect(error.name).toBe('TenantSettingsError');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('key-secret');
  });

  it('names base_url alone when the grant is complete', () => {
    const { base_url: _, ...rest } = minimal;
    expect(failure(JSON.stringify(rest)).keys).toEqual(['base_url']);
  });

  it('names every key missing for the grant, and base_url', () => {
    const { base_url: _, username: __, ...rest } = minimal;
    const lacking = failure(JSON.stringify({ ...rest, password: '' }));
    expect(lacking.message).toBe(
      'the settings of tenant "acme" lacks the keys base_url, username, password',
    );
    expect(lacking.keys).toEqual(['base_url', 'username', 'password']);
    const cc = failure(
      JSON.stringify({ base_url: minimal.base_url, grant_type: 'client_credentials' }),
    );
    expect(cc.keys).toEqual(['client_id', 'client_secret']);
  });

  it.each([
    ['text that is not JSON', 'acme-password-value', ' is not JSON'],
    ['a JSON string', '"acme-password-value"', ' is not a JSON object'],
    ['a JSON array', '["acme-password-value"]', ' is not a JSON object'],
    ['null', 'null', ' is not a JSON object'],
  ])('refuses %s without quoting it', (_, text, problem) => {
    const error = failure(text);
    expect(error.message).toBe(`the settings of tenant "acme"${problem}`);
    expect(error.keys).toEqual([]);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('acme-password');
  });
});

describe('earlierCallbackSecrets: what the previous version still lets in', () => {
  it('is its callback_secret and previous_callback_secret, each when valid', () => {
    expect(
      earlierCallbackSecrets(
        JSON.stringify({ callback_secret: CALLBACK, previous_callback_secret: PREVIOUS }),
      ),
    ).toEqual([CALLBACK, PREVIOUS]);
    expect(
      earlierCallbackSecrets(
        JSON.stringify({ callback_secret: 'short', previous_callback_secret: PREVIOUS }),
      ),
    ).toEqual([PREVIOUS]);
  });

  it.each([undefined, 'not json', '[]', JSON.stringify({ callback_secret: 42 })])(
    'is nothing, and no error, for %j',
    (text) => {
      expect(earlierCallbackSecrets(text)).toEqual([]);
    },
  );
});

describe('grantFromKeys: the default tenant’s grant, from its variables and its secret’s keys', () => {
  const keys = {
    client_id: 'secret-app',
    client_secret: 'secret-client-secret',
    username: 'secret-admin',
    password: 'secret-password',
  };

  it('takes SIGNINGHUB_GRANT_TYPE over the secret’s grant_type, even one it would refuse', () => {
    expect(grantFromKeys({ ...keys, grant_type: 'implicit' }, 'client_credentials')).toEqual({
      grant: {
        type: 'client_credentials',
        clientId: 'secret-app',
        clientSecret: 'secret-client-secret',
      },
    });
  });

  it('takes each variable that is set over its key, and the key for one set empty', () => {
    expect(
      grantFromKeys(keys, undefined, { clientId: 'variable-app', username: '', password: '' }),
    ).toEqual({
      grant: {
        type: 'password',
        clientId: 'variable-app',
        clientSecret: 'secret-client-secret',
        username: 'secret-admin',
        password: 'secret-password',
      },
    });
  });
});
