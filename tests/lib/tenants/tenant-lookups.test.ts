import { describe, expect, it } from 'vitest';
import { withFakeDate, withMotoSecretsClient } from '../aws/secrets-fixture.ts';
import { directoryOver, MAX_AGE, opened, PREFIX, settingsFor } from './directory-fixture.ts';

const moto = withMotoSecretsClient();
const pass = withFakeDate();

/** GetSecretValue calls, AWSCURRENT and AWSPREVIOUS, for these tenants' secrets. */
const readsOf = (tenants: readonly string[]): number =>
  tenants.reduce((sum, tenant) => sum + moto().secrets.reads(`${PREFIX}${tenant}`), 0);

const NO_SECRETS = () => {
  throw new Error('no secret may be read');
};

/** Runs `open` on each name, `at` a time at most, in order. */
const inTurns = async <T>(
  names: readonly string[],
  at: number,
  open: (name: string) => Promise<T>,
) => {
  const answers: T[] = [];
  for (let i = 0; i < names.length; i += at) {
    answers.push(...(await Promise.all(names.slice(i, i + at).map(open))));
  }
  return answers;
};

describe('TenantDirectory: names that are not tenants', () => {
  it('without a prefix, knows no tenant but default and reads no secret at all', async () => {
    const { directory } = directoryOver(NO_SECRETS, { prefix: undefined });
    for (const open of [directory.open, directory.openForCallback]) {
      const answer = await open.call(directory, 'acme');
      expect(answer).toEqual({
        ok: false,
        tenant: 'acme',
        reason: 'unknown',
        message: 'no tenants are configured (TENANTS_SECRET_PREFIX is unset)',
      });
    }
    expect((await directory.open('default')).ok).toBe(true);
  });

  it.each(['Acme', '-acme', 'acme-', '../credentials', 'a'.repeat(41), '', 'acme/x'])(
    'refuses the malformed id %j before any read',
    async (tenant) => {
      const { directory } = directoryOver(NO_SECRETS);
      expect(await directory.openForCallback(tenant)).toMatchObject({
        ok: false,
        reason: 'unknown',
        message: 'the tenant id is malformed',
      });
    },
  );

  it('remembers a name found missing for the maximum age', async () => {
    const { directory } = directoryOver(moto().client);
    const answer = await directory.openForCallback('ghost');
    expect(answer).toEqual({
      ok: false,
      tenant: 'ghost',
      reason: 'unknown',
      message: `tenant "ghost" has no secret "${PREFIX}ghost"`,
    });
    pass(MAX_AGE - 1);
    await directory.openForCallback('ghost');
    await directory.open('ghost');
    expect(readsOf(['ghost'])).toBe(1);
    pass(2);
    await directory.openForCallback('ghost');
    expect(readsOf(['ghost'])).toBe(2);
  });

  it('remembers at most absentCacheSize names, forgetting the oldest first', async () => {
    const { directory } = directoryOver(moto().client, { absentCacheSize: 3 });
    const names = ['gone-1', 'gone-2', 'gone-3', 'gone-4'];
    for (const name of names) await directory.openForCallback(name);
    expect(readsOf(names)).toBe(4);
    await directory.openForCallback('gone-4');
    await directory.openForCallback('gone-2');
    expect(readsOf(names)).toBe(4);
    await directory.openForCallback('gone-1');
    expect(readsOf(['gone-1'])).toBe(2);
  });

  it('shares one read among lookups of one name at once', async () => {
    const { directory } = directoryOver(moto().client);
    await Promise.all(Array.from({ length: 5 }, () => directory.openForCallback('twin')));
    expect(readsOf(['twin'])).toBe(1);
  });
});

describe('TenantDirectory: a flood of invented names', () => {
  it('costs at most 300 reads a minute, then throttled without a read, while known tenants open', async () => {
    const { secrets } = moto();
    await secrets.create(`${PREFIX}known`, settingsFor('https://known.example'));
    await secrets.create(`${PREFIX}late`, settingsFor('https://late.example'));
    const { directory, metrics, log } = directoryOver(moto().client);
    // Opened for work already accepted: no lookup spent.
    opened(await directory.open('known'));
    const knownReads = readsOf(['known']);

    const invented = Array.from({ length: 1_000 }, (_, i) => `invented-${i}`);
    const answers = await inTurns(invented, 25, (name) => directory.openForCallback(name));
    const reasons = answers.map((answer) => (answer.ok ? 'ok' : answer.reason));
    expect(reasons.filter((reason) => reason === 'unknown')).toHaveLength(300);
    expect(reasons.filter((reason) => reason === 'throttled')).toHaveLength(700);
    expect(readsOf(invented)).toBe(300);
    expect(metrics.total('TenantLookupsThrottled')).toBe(700);
    expect(log.lines.filter(({ level }) => level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'more than 300 lookups of tenants not yet known this minute: not looked up',
        fields: { tenant: 'invented-300' },
      },
    ]);

    // A known tenant opens all the same, and work already accepted is never throttled.
    opened(await directory.openForCallback('known'));
    expect(readsOf(['known'])).toBe(knownReads);
    expect(await directory.openForCallback('late')).toMatchObject({ reason: 'throttled' });
    opened(await directory.open('late'));
    // A name remembered missing costs nothing and is not throttled either.
    expect(await directory.openForCallback('invented-0')).toMatchObject({ reason: 'unknown' });

    pass(60);
    expect(await directory.openForCallback('invented-999')).toMatchObject({ reason: 'unknown' });
    expect(readsOf(invented)).toBe(301);
  }, 120_000);

  it('takes its bound from unknownLookupsPerMinute', async () => {
    const { directory } = directoryOver(moto().client, { unknownLookupsPerMinute: 2 });
    const names = ['few-1', 'few-2', 'few-3'];
    const answers = await inTurns(names, 1, (name) => directory.openForCallback(name));
    expect(answers.map((answer) => !answer.ok && answer.reason)).toEqual([
      'unknown',
      'unknown',
      'throttled',
    ]);
    expect(readsOf(names)).toBe(2);
  });
});
