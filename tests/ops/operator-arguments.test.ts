import { describe, expect, it } from 'vitest';
import { openAwsSession, resolveRegion } from '../../ops/aws-session.ts';
import { positiveIntegerOf } from '../../ops/command-line.ts';
import { stackNameOf, targetOf } from '../../ops/operator-target.ts';

const USAGE = 'usage: npm run x';

describe('targetOf', () => {
  it('acts on the local stack without --stage', () => {
    expect(targetOf({}, USAGE)).toEqual({ kind: 'local' });
  });

  it('acts on a deployed stage with --stage, in the region given or none yet', () => {
    expect(targetOf({ stage: 'prod' }, USAGE)).toEqual({
      kind: 'stage',
      stage: 'prod',
      region: undefined,
    });
    expect(targetOf({ stage: 'prod-2', region: 'us-gov-west-1' }, USAGE)).toEqual({
      kind: 'stage',
      stage: 'prod-2',
      region: 'us-gov-west-1',
    });
    expect(targetOf({ stage: 'prod', region: 'ap-southeast-10' }, USAGE)).toMatchObject({
      region: 'ap-southeast-10',
    });
    expect(stackNameOf('prod')).toBe('signinghub-finish-prod');
  });

  it.each([
    [{ region: 'eu-west-1' }, /^--region goes with --stage/],
    [{ stage: 'prod_1' }, /^"prod_1" is not a stage name/],
    [{ stage: '' }, /^"" is not a stage name/],
    [{ stage: '-prod' }, /^"-prod" is not a stage name/],
    [{ stage: 'prod', region: 'Ireland' }, /^"Ireland" is not an AWS region/],
    [{ stage: 'prod', region: 'Xeu-west-1' }, /^"Xeu-west-1" is not an AWS region/],
    [{ stage: 'prod', region: 'eu-west-1x' }, /^"eu-west-1x" is not an AWS region/],
  ])('refuses %o in one line', (values, message) => {
    expect(() => targetOf(values, USAGE)).toThrow(message);
  });
});

describe('resolveRegion, as the AWS CLI picks a region', () => {
  const profile = async () => 'ap-southeast-2';
  const none = async () => undefined;

  it('takes --region first, then AWS_REGION, AWS_DEFAULT_REGION and the profile', async () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' };
    expect(await resolveRegion('eu-central-1', env, profile)).toBe('eu-central-1');
    expect(await resolveRegion(undefined, env, profile)).toBe('eu-west-1');
    expect(await resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-east-1' }, profile)).toBe(
      'us-east-1',
    );
    expect(await resolveRegion(undefined, { AWS_REGION: ' ' }, profile)).toBe('ap-southeast-2');
    expect(await resolveRegion(' eu-west-3 ', env, profile)).toBe('eu-west-3');
  });

  it('says how to give one when there is none', async () => {
    await expect(resolveRegion(undefined, {}, none)).rejects.toThrow(
      'no AWS region: pass --region <region>, or set AWS_REGION, or give your profile a region (aws configure)',
    );
  });
});

describe('openAwsSession', () => {
  it("gives every client the session's region", async () => {
    expect(await openAwsSession(undefined, { AWS_DEFAULT_REGION: 'ap-south-1' })).toEqual({
      region: 'ap-south-1',
      clientConfig: { region: 'ap-south-1' },
    });
  });
});

describe('positiveIntegerOf', () => {
  it.each([
    ['1', 1],
    ['250', 250],
    ['0', undefined],
    ['-3', undefined],
    ['2.5', undefined],
    ['1e3', undefined],
    ['ten', undefined],
    ['', undefined],
  ])('reads %j as %j', (text, expected) => {
    expect(positiveIntegerOf(text)).toBe(expected);
  });
});
