import { describe, expect, it } from 'vitest';
import { checkedArchiveSettings } from '../../infra/archive-settings.cjs';
import { packagingRefusal } from '../support/packaged-services.ts';

/** serverless.yml's defaults of the parameters infra/archive-settings.cjs reads. */
const DEFAULTS: Readonly<Record<string, unknown>> = {
  archiveDocuments: true,
  archiveBucketName: '',
  archiveKmsKeyArn: '',
  archiveNoncurrentVersionDays: 365,
  archiveTimeoutSeconds: 900,
  archiveQueueVisibilityTimeoutSeconds: 5400,
  archiveMemorySize: 256,
  archiveMaxConcurrency: 5,
  eventBusName: 'default',
};

/** The settings of a packaging with these parameters changed from the defaults. */
const settingsWith = (changed: Record<string, unknown> = {}) =>
  checkedArchiveSettings(async (name: string) => ({ ...DEFAULTS, ...changed })[name]);

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe("the archive's parameters", () => {
  it('are the defaults of serverless.yml, as numbers and a boolean', async () => {
    expect(await settingsWith()).toEqual({
      enabled: true,
      bucketName: '',
      kmsKeyArn: '',
      eventBusName: 'default',
      archiveNoncurrentVersionDays: 365,
      archiveTimeoutSeconds: 900,
      archiveQueueVisibilityTimeoutSeconds: 5400,
      archiveMemorySize: 256,
      archiveMaxConcurrency: 5,
    });
  });

  it('take what --param gives: strings, trimmed', async () => {
    expect(
      await settingsWith({
        archiveDocuments: 'false',
        archiveTimeoutSeconds: '300',
        archiveQueueVisibilityTimeoutSeconds: '1800',
        archiveBucketName: ' acme-signed-records ',
      }),
    ).toMatchObject({
      enabled: false,
      archiveTimeoutSeconds: 300,
      archiveQueueVisibilityTimeoutSeconds: 1800,
      bucketName: 'acme-signed-records',
    });
    expect((await settingsWith({ archiveDocuments: 'true' })).enabled).toBe(true);
  });

  it.each([
    ['archiveDocuments', 'yes', 'must be true or false, not "yes"'],
    ['archiveDocuments', '', 'must be true or false'],
    ['archiveTimeoutSeconds', 901, 'archiveTimeoutSeconds must be a whole number from 60 to 900'],
    ['archiveTimeoutSeconds', '90.5', 'from 60 to 900'],
    ['archiveMemorySize', 64, 'archiveMemorySize must be a whole number from 128 to 10240'],
    ['archiveMaxConcurrency', 1, 'archiveMaxConcurrency must be a whole number from 2 to 1000'],
    ['archiveNoncurrentVersionDays', 0, 'archiveNoncurrentVersionDays must be a whole number'],
    ['archiveQueueVisibilityTimeoutSeconds', 43_201, 'from 360 to 43200'],
  ])('refuse %s = %j', async (name, value, message) => {
    await expect(settingsWith({ [name]: value })).rejects.toThrow(message);
  });

  it('refuse a visibility timeout under six function timeouts, and take exactly six', async () => {
    await expect(settingsWith({ archiveQueueVisibilityTimeoutSeconds: 5399 })).rejects.toThrow(
      'archiveQueueVisibilityTimeoutSeconds (5399) must be at least six times archiveTimeoutSeconds (900), 5400 s',
    );
    expect(
      (
        await settingsWith({
          archiveTimeoutSeconds: 600,
          archiveQueueVisibilityTimeoutSeconds: 3600,
        })
      ).archiveQueueVisibilityTimeoutSeconds,
    ).toBe(3600);
  });

  it.each([
    KEY,
    'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ])('take the KMS key %s', async (arn) => {
    expect((await settingsWith({ archiveKmsKeyArn: arn })).kmsKeyArn).toBe(arn);
  });

  it.each([
    'arn:aws:kms:eu-west-1:123456789012:alias/archive',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    `${KEY}*`,
    KEY.replace('kms', 's3'),
  ])('refuse archiveKmsKeyArn %s: not a key ARN', async (value) => {
    await expect(settingsWith({ archiveKmsKeyArn: value })).rejects.toThrow(
      "archiveKmsKeyArn must be empty (SSE-S3) or a KMS key's ARN",
    );
  });

  it.each(['acme-signed-records', 'a.b-c', 'abc', 'x'.repeat(63)])(
    'take the bucket name %s',
    async (name) => {
      expect((await settingsWith({ archiveBucketName: name })).bucketName).toBe(name);
    },
  );

  it.each([
    ['Acme-Records', '3 to 63 lower-case letters'],
    ['acme_records', '3 to 63 lower-case letters'],
    ['ab', '3 to 63 lower-case letters'],
    ['x'.repeat(64), '3 to 63 lower-case letters'],
    ['-acme', 'beginning and ending with a letter or digit'],
    ['acme.', 'beginning and ending with a letter or digit'],
    ['acme..records', 'no two dots in a row'],
    ['192.168.5.4', 'not an IP address'],
    ['xn--acme', 'S3 reserves the prefix xn--'],
    ['sthree-acme', 'S3 reserves the prefix sthree-'],
    ['acme-s3alias', 'S3 reserves the suffix -s3alias'],
    ['acme--ol-s3', 'S3 reserves the suffix --ol-s3'],
    ['acme--x-s3', 'S3 reserves the suffix --x-s3'],
  ])('refuse the bucket name %s', async (name, reason) => {
    const refusal = settingsWith({ archiveBucketName: name });
    await expect(refusal).rejects.toThrow(`archiveBucketName must be empty`);
    await expect(refusal).rejects.toThrow(reason);
  });

  it('refuse the archive without a bus to feed it, and take no bus without the archive', async () => {
    await expect(settingsWith({ eventBusName: ' ' })).rejects.toThrow(
      'archiveDocuments is true but eventBusName is empty: the archive is fed by the completion events on that bus',
    );
    expect(await settingsWith({ eventBusName: '', archiveDocuments: false })).toMatchObject({
      enabled: false,
      eventBusName: '',
    });
  });
});

describe('serverless package', () => {
  it.each([
    [['archiveDocuments=maybe'], 'archiveDocuments must be true or false, not "maybe"'],
    [['eventBusName= '], 'archiveDocuments is true but eventBusName is empty'],
    [
      ['archiveTimeoutSeconds=900', 'archiveQueueVisibilityTimeoutSeconds=3600'],
      'must be at least six times archiveTimeoutSeconds (900)',
    ],
    [
      ['archiveKmsKeyArn=alias/archive'],
      "archiveKmsKeyArn must be empty (SSE-S3) or a KMS key's ARN",
    ],
    [['archiveBucketName=Acme_Records'], 'archiveBucketName must be empty'],
  ])(
    'stops at %j and says why',
    async (params, reason) => {
      expect(await packagingRefusal({ stage: 'refused', params })).toContain(reason);
    },
    120_000,
  );
});
