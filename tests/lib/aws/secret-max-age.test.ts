import { describe, expect, it } from 'vitest';
import { loadCallbackConfig, loadFinishConfig, loadReconcileConfig } from '../../../lib/config.ts';
import { ConfigError } from '../../../lib/errors.ts';

const base = {
  TABLE_NAME: 'table',
  SIGNINGHUB_CREDENTIALS_SECRET: 'prod/signinghub',
  CALLBACK_SECRET_ID: 'prod/callback',
};

describe('POWERTOOLS_PARAMETERS_MAX_AGE: how long a secret read is kept', () => {
  it('is five minutes unless set, for the credentials and the callback secret', () => {
    expect(loadFinishConfig(base).signingHub.secretMaxAgeSeconds).toBe(300);
    expect(loadCallbackConfig(base).secretMaxAgeSeconds).toBe(300);
    expect(loadCallbackConfig({ ...base, POWERTOOLS_PARAMETERS_MAX_AGE: '' })).toMatchObject({
      secretMaxAgeSeconds: 300,
    });
  });

  it.each([
    ['0', 0],
    ['60', 60],
    ['3600', 3_600],
  ])('takes %s as %d seconds (0: read on every call)', (raw, seconds) => {
    const env = { ...base, POWERTOOLS_PARAMETERS_MAX_AGE: raw };
    expect(loadReconcileConfig(env).signingHub.secretMaxAgeSeconds).toBe(seconds);
    expect(loadCallbackConfig(env).secretMaxAgeSeconds).toBe(seconds);
  });

  it.each(['5m', '-1', '1.5', '015'])('refuses %s, naming the variable', (raw) => {
    for (const load of [loadFinishConfig, loadCallbackConfig, loadReconcileConfig]) {
      const error = (() => {
        try {
          load({ ...base, POWERTOOLS_PARAMETERS_MAX_AGE: raw });
        } catch (caught) {
          return caught;
        }
        throw new Error('the setting was accepted');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe('POWERTOOLS_PARAMETERS_MAX_AGE');
    }
  });
});
