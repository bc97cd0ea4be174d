// The archive's parameters (issue 20), checked while `serverless package` resolves them: a wrong
// value stops the packaging with a message that names the parameter, before anything is built.
// infra/archive.cjs builds the archive's resources from them, infra/alarm-definitions.cjs and
// infra/dashboard.cjs watch them, and infra/archive-switch.cjs leaves the function out when
// `archiveDocuments` is false.
const { wholeNumber } = require('./whole-number.cjs');

/** Whole-number parameters: [min, max]. */
const NUMBERS = /** @type {const} */ ({
  // Lambda's longest timeout; below 60 s a large document could never finish in one invocation.
  archiveTimeoutSeconds: [60, 900],
  // SQS's longest visibility timeout is 12 hours; the lower bound is checked against the timeout.
  archiveQueueVisibilityTimeoutSeconds: [360, 43_200],
  // Lambda's memory sizes.
  archiveMemorySize: [128, 10_240],
  // ScalingConfig.MaximumConcurrency of an SQS mapping.
  archiveMaxConcurrency: [2, 1000],
  archiveNoncurrentVersionDays: [1, 36_500],
});

/** @typedef {keyof typeof NUMBERS} NumberName */

/**
 * The archive's settings of a packaging.
 * @typedef {Readonly<Record<NumberName, number>> & {
 *   readonly enabled: boolean,
 *   readonly bucketName: string,
 *   readonly kmsKeyArn: string,
 *   readonly eventBusName: string,
 * }} ArchiveSettings
 */

/**
 * A KMS key's ARN (a single-Region key's UUID, or a multi-Region key's mrk- id): an alias would
 * leave IAM granting the alias, not the key S3 uses.
 */
const KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** S3's general purpose bucket names: 3-63 lower-case letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Why S3 would refuse `name` as a bucket's name, or undefined when it would not.
 * @param {string} name
 */
const bucketNameProblem = (name) => {
  if (!BUCKET_NAME.test(name)) {
    return 'a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens, beginning and ending with a letter or digit';
  }
  if (name.includes('..')) return 'a bucket name has no two dots in a row';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name is not an IP address';
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `S3 reserves the prefix ${prefix}`;
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `S3 reserves the suffix ${suffix}`;
  return undefined;
};

/**
 * `true` or `false`, as YAML writes them or `--param` gives them (a string).
 * @param {string} name
 * @param {unknown} value
 */
const boolean = (name, value) => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`the parameter ${name} must be true or false, not "${value}"`);
};

/** @param {unknown} value */
const text = (value) => String(value ?? '').trim();

/**
 * The archive's parameters, checked, from what the packaging resolves.
 * @param {(name: string) => Promise<unknown>} param a parameter's value by its name
 * @returns {Promise<ArchiveSettings>}
 */
const checkedArchiveSettings = async (param) => {
  /** @type {[NumberName, number][]} */
  const numbers = [];
  for (const name of /** @type {NumberName[]} */ (Object.keys(NUMBERS))) {
    numbers.push([name, wholeNumber(name, await param(name), NUMBERS[name])]);
  }
  const settings = {
    // Object.fromEntries cannot know that every NumberName is there; the loop above puts each.
    .../** @type {Record<NumberName, number>} */ (Object.fromEntries(numbers)),
    enabled: boolean('archiveDocuments', await param('archiveDocuments')),
    bucketName: text(await param('archiveBucketName')),
    kmsKeyArn: text(await param('archiveKmsKeyArn')),
    eventBusName: text(await param('eventBusName')),
  };
  // AWS's advice for an SQS event source: a message must stay hidden while up to six invocations
  // (the function's retries of a throttled or failed poll) may still work on it.
  const least = 6 * settings.archiveTimeoutSeconds;
  if (settings.archiveQueueVisibilityTimeoutSeconds < least) {
    throw new Error(
      `the parameter archiveQueueVisibilityTimeoutSeconds (${settings.archiveQueueVisibilityTimeoutSeconds}) must be at least six times archiveTimeoutSeconds (${settings.archiveTimeoutSeconds}), ${least} s: a message would come back while the function still archives its package`,
    );
  }
  if (settings.kmsKeyArn !== '' && !KEY_ARN.test(settings.kmsKeyArn)) {
    throw new Error(
      `the parameter archiveKmsKeyArn must be empty (SSE-S3) or a KMS key's ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias), not "${settings.kmsKeyArn}"`,
    );
  }
  const problem = settings.bucketName === '' ? undefined : bucketNameProblem(settings.bucketName);
  if (problem !== undefined) {
    throw new Error(
      `the parameter archiveBucketName must be empty (the stack makes the bucket) or a bucket name S3 accepts, not "${settings.bucketName}": ${problem}`,
    );
  }
  if (settings.enabled && settings.eventBusName === '') {
    throw new Error(
      'archiveDocuments is true but eventBusName is empty: the archive is fed by the completion events on that bus; set eventBusName, or archiveDocuments to false',
    );
  }
  return settings;
};

/**
 * The archive's settings of this packaging, from its parameters.
 * @param {import('./monitoring-settings.cjs').VariableSources['resolveVariable']} resolveVariable
 */
const readArchiveSettings = (resolveVariable) =>
  checkedArchiveSettings((name) => resolveVariable(`param:${name}`));

module.exports = { checkedArchiveSettings, readArchiveSettings };
