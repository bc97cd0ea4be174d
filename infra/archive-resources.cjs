// The archive's resources (issue 20), built from its checked settings (infra/archive-settings.cjs):
// the bucket the signed documents go to (unless `archiveBucketName` names one of the operator's),
// ArchiveQueue and its dead-letter queue, and the EventBridge rule that puts each completion event
// of a COMPLETED package on the queue. infra/archive.cjs includes them only when the archive is on.

/**
 * The completion events the archive takes, as publish sends them (lib/archive/archive-request.ts
 * names them for the function; infra/ reads no lib/ module but the metrics catalogue, and
 * tests/infra/archive-template.test.ts holds the two together).
 */
const STACK_EVENT_SOURCE = 'signinghub.finish';
const COMPLETED_DETAIL_TYPE = 'SigningPackageCompleted';

/**
 * `${name}`, a reference as Fn::Sub writes it.
 * @param {string} name
 */
const substituted = (name) => `\${${name}}`;

/** How long an incomplete multipart upload (a document cut off mid-way) keeps its parts. */
const ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS = 7;

/**
 * Where the archive's documents go, as the template names it: the bucket the stack makes (its
 * Ref) or the one `archiveBucketName` names.
 * @param {import('./archive-settings.cjs').ArchiveSettings} settings
 * @returns {string | { Ref: string }}
 */
const archiveBucket = (settings) =>
  settings.bucketName === '' ? { Ref: 'ArchiveBucket' } : settings.bucketName;

/**
 * The bucket's objects, and nothing else of it or of S3: what the function may write.
 * @param {import('./archive-settings.cjs').ArchiveSettings} settings
 */
const archiveObjectsArn = (settings) => {
  const bucket = settings.bucketName === '' ? substituted('ArchiveBucket') : settings.bucketName;
  return { 'Fn::Sub': `arn:${substituted('AWS::Partition')}:s3:::${bucket}/*` };
};

/**
 * The bucket the stack makes: private, encrypted, versioned, retained with its documents.
 * @param {import('./archive-settings.cjs').ArchiveSettings} settings
 */
const bucketResources = (settings) => ({
  ArchiveBucket: {
    Type: 'AWS::S3::Bucket',
    // Signed records outlive the stack: removing the stack, or the archive (archiveDocuments:
    // false), or a change that would replace the bucket leaves it and its documents in place.
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          settings.kmsKeyArn === ''
            ? { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }
            : {
                ServerSideEncryptionByDefault: {
                  SSEAlgorithm: 'aws:kms',
                  KMSMasterKeyID: settings.kmsKeyArn,
                },
                // One data key per bucket for a while instead of a KMS call per part.
                BucketKeyEnabled: true,
              },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            AbortIncompleteMultipartUpload: {
              DaysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_AFTER_DAYS,
            },
          },
          {
            Id: 'expire-noncurrent-versions',
            Status: 'Enabled',
            NoncurrentVersionExpiration: { NoncurrentDays: settings.archiveNoncurrentVersionDays },
          },
        ],
      },
    },
  },
  // Refuses every request that does not come over TLS, whoever makes it.
  ArchiveBucketPolicy: {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: { Ref: 'ArchiveBucket' },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyRequestsWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [
              { 'Fn::GetAtt': ['ArchiveBucket', 'Arn'] },
              { 'Fn::Sub': `${substituted('ArchiveBucket.Arn')}/*` },
            ],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    },
  },
});

/**
 * The archive's resources and outputs.
 * @param {import('./archive-settings.cjs').ArchiveSettings} settings
 */
const archiveResources = (settings) => ({
  Resources: {
    ...(settings.bucketName === '' ? bucketResources(settings) : {}),
    ArchiveQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        // At least six times the function timeout (checked in infra/archive-settings.cjs).
        VisibilityTimeout: settings.archiveQueueVisibilityTimeoutSeconds,
        MessageRetentionPeriod: 345_600,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['ArchiveDeadLetterQueue', 'Arn'] },
          maxReceiveCount: 5,
        },
      },
    },
    ArchiveDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
    },
    // Each completion event of a COMPLETED package, as the bus delivers it, becomes a message.
    ArchiveRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Description: `Puts each ${COMPLETED_DETAIL_TYPE} event on ArchiveQueue`,
        EventBusName: settings.eventBusName,
        EventPattern: { source: [STACK_EVENT_SOURCE], 'detail-type': [COMPLETED_DETAIL_TYPE] },
        Targets: [{ Id: 'archive-queue', Arn: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] } }],
      },
    },
    // EventBridge may send to the queue for that rule only.
    ArchiveQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: 'ArchiveQueue' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': ['ArchiveQueue', 'Arn'] },
              Condition: {
                ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ArchiveRule', 'Arn'] } },
              },
            },
          ],
        },
      },
    },
  },
  Outputs: {
    ArchiveBucketName: {
      Description: 'The bucket the signed documents are archived in, under <tenant>/<packageId>/',
      Value: archiveBucket(settings),
    },
    ArchiveQueueUrl: {
      Description: 'The archive requests (npm run archive puts them here)',
      Value: { Ref: 'ArchiveQueue' },
    },
    ArchiveDeadLetterQueueUrl: {
      Description:
        'Archive requests received five times without success (npm run redrive -- --queue archive)',
      Value: { Ref: 'ArchiveDeadLetterQueue' },
    },
  },
});

module.exports = { archiveBucket, archiveObjectsArn, archiveResources };
