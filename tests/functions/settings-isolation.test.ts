import { afterEach, describe, expect, it, vi } from 'vitest';
import { functionEnvironment } from '../../harness/function-env.ts';
import { type HandlerModules, importHandler } from '../../harness/handler-modules.ts';

/** Valid settings for every function; nothing here is contacted, the modules are only loaded. */
const VALID: Record<string, string> = functionEnvironment({
  tableName: 'settings-isolation',
  dynamoDbEndpoint: 'http://127.0.0.1:9',
  signingHubUrl: 'http://127.0.0.1:9',
  credentials: {
    clientId: 'app',
    clientSecret: 'client-secret-value',
    username: 'admin@example.com',
    password: 'password-value',
  },
  callbackSecret: 'callback-secret-0123456789',
  reconcileAfterSeconds: 900,
  eventBusName: 'bus',
});

const loadWith = async (
  name: keyof HandlerModules,
  env: Record<string, string>,
): Promise<unknown> => {
  for (const [variable, value] of Object.entries(env)) vi.stubEnv(variable, value);
  vi.resetModules();
  return importHandler(name);
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('a bad setting stops only the functions that read it', () => {
  it.each([
    ['finish', 'RECONCILE_AFTER_SECONDS', 'soon'],
    ['callback', 'RECONCILE_AFTER_SECONDS', 'soon'],
    ['finish', 'CALLBACK_SECRET', 'short'],
    ['reconcile', 'CALLBACK_SECRET', 'short'],
    ['publish', 'TABLE_NAME', ''],
    ['publish', 'SIGNINGHUB_TIMEOUT_MS', 'ten seconds'],
  ] as const)('%s starts with %s=%s', async (name, variable, value) => {
    const module = await loadWith(name, { ...VALID, [variable]: value });
    expect(module).toHaveProperty('handler');
  });

  it.each([
    ['reconcile', 'RECONCILE_AFTER_SECONDS', 'soon'],
    ['callback', 'CALLBACK_SECRET', 'short'],
    ['finish', 'SIGNINGHUB_TIMEOUT_MS', 'ten seconds'],
    ['callback', 'TABLE_NAME', ''],
    ['reconcile', 'SIGNINGHUB_API_VERSION', 'v5'],
  ] as const)('%s refuses to start with %s=%s, naming it', async (name, variable, value) => {
    await expect(loadWith(name, { ...VALID, [variable]: value })).rejects.toThrow(variable);
  });

  it('starts reconcile with RECONCILE_AFTER_SECONDS=0 (every open package)', async () => {
    const module = await loadWith('reconcile', { ...VALID, RECONCILE_AFTER_SECONDS: '0' });
    expect(module).toHaveProperty('handler');
  });
});
