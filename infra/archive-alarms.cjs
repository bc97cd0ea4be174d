// The archive's alarms (issue 20), while archiveDocuments is true: a request that dead-lettered, a
// queue that does not drain, and a package whose archive failed for good. Its function's errors and
// throttles are watched with the other functions' (infra/alarm-definitions.cjs).
const { customMetric, queueMetric } = require('./watched-metrics.cjs');

/**
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @returns {import('./alarm-definitions.cjs').AlarmDefinition[]}
 */
const archiveAlarms = (settings) => {
  if (!settings.archive.enabled) return [];
  const { stage } = settings;
  const log = `/aws/lambda/${settings.stackName}-archive`;
  return [
    {
      id: 'ArchiveDeadLetterAlarm',
      name: 'archive-dead-letters',
      description: `Archive requests are in the archive's dead-letter queue: each was received five times without its package being archived (SigningHub or S3 failing throughout, a tenant without usable settings, the function failing), so those packages are not ARCHIVED. Each message names its package. Read the log group ${log}, fix the cause, then npm run redrive -- --queue archive --stage ${stage}. OK when the queue is empty again.`,
      metric: queueMetric('ArchiveDeadLetterQueue', 'ApproximateNumberOfMessagesVisible'),
      statistic: 'Maximum',
      threshold: settings.deadLetterAlarmThreshold,
      period: settings.deadLetterAlarmPeriodSeconds,
      okAction: true,
    },
    {
      id: 'ArchiveQueueAgeAlarm',
      name: 'archive-queue-age',
      description: `The oldest archive request has waited more than ${settings.archiveQueueAgeAlarmSeconds} s: signed documents reach the bucket late. Either a backlog (a backfill, or more completions than ${settings.archive.archiveMaxConcurrency} archives at once can take), or requests handed back again and again (SigningHub or S3 failing or throttling). Read the log group ${log}: its lines "failed for now; handed back" name each package and the answer. OK when the queue has caught up.`,
      metric: queueMetric('ArchiveQueue', 'ApproximateAgeOfOldestMessage'),
      statistic: 'Maximum',
      threshold: settings.archiveQueueAgeAlarmSeconds,
      period: 300,
      okAction: true,
    },
    {
      id: 'ArchiveFailedAlarm',
      name: 'archives-failed',
      description: `A package's archive failed for good: SigningHub refused a document (400, 403 or 404) or S3 refused a write (a 4xx: the bucket's policy or key). The package item's archiveStatus is FAILED, its archiveError says why, and the documents stored before stay. The log group ${log} names the package ("the archive failed for good"). Put the cause right, then npm run archive -- <packageId> --stage ${stage}. No OK notice: each failure stays to be handled.`,
      metric: customMetric(settings.metricsService, 'ArchiveFailed'),
      statistic: 'Sum',
      threshold: settings.archiveFailedAlarmThreshold,
      period: settings.archiveFailedAlarmPeriodSeconds,
      okAction: false,
    },
  ];
};

module.exports = { archiveAlarms };
