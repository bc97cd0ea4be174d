// The archive (issue 20) as serverless.yml includes it. Whether it exists, and whether the stack
// makes its bucket, are decided here, while `serverless package` resolves the parameters, as for
// the upstream routing (infra/upstream-routing.cjs): the archive's resources are `{}` when
// `archiveDocuments` is false. A function cannot be left out that way (a `functions` entry cannot
// resolve to nothing), so infra/archive-switch.cjs removes it from the service then.
const { archiveBucket, archiveObjectsArn, archiveResources } = require('./archive-resources.cjs');
const { readArchiveSettings } = require('./archive-settings.cjs');

/**
 * What serverless.yml reads: `function`, the archive function's settings (custom.archive), and
 * `resources`, the archive's resources and outputs.
 * @param {import('./monitoring-settings.cjs').VariableSources} sources
 */
module.exports = async ({ resolveVariable }) => {
  const settings = await readArchiveSettings(resolveVariable);
  return {
    function: {
      enabled: settings.enabled,
      timeout: settings.archiveTimeoutSeconds,
      memorySize: settings.archiveMemorySize,
      maxConcurrency: settings.archiveMaxConcurrency,
      // ARCHIVE_BUCKET
      bucket: archiveBucket(settings),
      objectsArn: archiveObjectsArn(settings),
      // The key the bucket encrypts with, for the function's kms statement; none for SSE-S3 (and
      // infra/drop-empty-statements.cjs then leaves the statement out).
      kmsKeyArns: settings.kmsKeyArn === '' ? [] : [settings.kmsKeyArn],
    },
    resources: settings.enabled ? archiveResources(settings) : {},
  };
};
