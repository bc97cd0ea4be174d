import { describe, expect, it } from 'vitest';
import { packagedTemplates } from '../support/alarm-templates.ts';
import { decide, defaultKeyPolicy, templateRole } from '../support/iam-evaluation.ts';
import { ARCHIVE_KMS_KEY_ARN, OWN_ARCHIVE_BUCKET } from '../support/packaged-services.ts';

// The default configuration's roles are evaluated as deployed (tests/infra/iam-roles.test.ts);
// these two are evaluated from their templates, the stack's bucket named as CloudFormation would.
const templates = packagedTemplates(['archiveKms', 'ownArchiveBucket']);

const STACKS_BUCKET = 'signinghub-finish-archive-kms-archivebucket-1a2b3c4d5e6f';
const ANOTHER_KEY = ARCHIVE_KMS_KEY_ARN.replace(
  /key\/.+$/,
  'key/0000abcd-12ab-34cd-56ef-1234567890ab',
);

const document = (bucket: string) => `arn:aws:s3:::${bucket}/default/4242/7.pdf`;

/** What a role may do with a key whose key policy is KMS's default (the account's IAM decides). */
const onKey = (role: ReturnType<typeof templateRole>, action: string, key: string) =>
  decide(role, action, key, {}, defaultKeyPolicy(role.accountId));

describe("the archive's role with a KMS key (archiveKmsKeyArn), evaluated by an IAM policy simulator", () => {
  const role = () =>
    templateRole(templates.archiveKms, 'archive', { ArchiveBucket: STACKS_BUCKET });

  it.each(['kms:GenerateDataKey', 'kms:Decrypt'])(
    'allows %s with that key, which a multipart upload into the bucket needs, and with no other',
    async (action) => {
      expect(await onKey(role(), action, ARCHIVE_KMS_KEY_ARN)).toBe('Allowed');
      expect(await onKey(role(), action, ANOTHER_KEY)).not.toBe('Allowed');
    },
  );

  it.each(['kms:Encrypt', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'])(
    'denies %s on that key',
    async (action) => {
      expect(await onKey(role(), action, ARCHIVE_KMS_KEY_ARN)).not.toBe('Allowed');
    },
  );

  it("still writes the documents of the stack's bucket alone", async () => {
    expect(await decide(role(), 's3:PutObject', document(STACKS_BUCKET))).toBe('Allowed');
    expect(await decide(role(), 's3:GetObject', document(STACKS_BUCKET))).not.toBe('Allowed');
    expect(await decide(role(), 's3:PutObject', document('another-bucket'))).not.toBe('Allowed');
  });
});

describe("the archive's role with a bucket of your own (archiveBucketName), evaluated by an IAM policy simulator", () => {
  const role = () => templateRole(templates.ownArchiveBucket, 'archive');

  it.each(['s3:PutObject', 's3:AbortMultipartUpload'])(
    "allows %s on that bucket's documents, and on no other bucket's",
    async (action) => {
      expect(await decide(role(), action, document(OWN_ARCHIVE_BUCKET))).toBe('Allowed');
      expect(await decide(role(), action, document(`${OWN_ARCHIVE_BUCKET}-old`))).not.toBe(
        'Allowed',
      );
      expect(await decide(role(), action, document(STACKS_BUCKET))).not.toBe('Allowed');
    },
  );

  it.each([
    ['s3:GetObject', document(OWN_ARCHIVE_BUCKET)],
    ['s3:DeleteObject', document(OWN_ARCHIVE_BUCKET)],
    ['s3:ListBucket', `arn:aws:s3:::${OWN_ARCHIVE_BUCKET}`],
    ['s3:PutBucketPolicy', `arn:aws:s3:::${OWN_ARCHIVE_BUCKET}`],
  ])('denies %s on %s', async (action, resource) => {
    expect(await decide(role(), action, resource)).not.toBe('Allowed');
  });

  it.each(['kms:GenerateDataKey', 'kms:Decrypt'])('denies %s on any key', async (action) => {
    expect(await onKey(role(), action, ARCHIVE_KMS_KEY_ARN)).not.toBe('Allowed');
  });
});
