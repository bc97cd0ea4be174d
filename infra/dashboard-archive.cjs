// The dashboard's row for the archive (issue 20), while archiveDocuments is true: what became of
// the packages, the documents and bytes stored (the archive's throughput), and its queue.
const { graph, graphRow, line } = require('./dashboard-widgets.cjs');
const { queueMetric } = require('./watched-metrics.cjs');

/**
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @param {(name: import('./watched-metrics.cjs').CustomMetricName, label: string) => import('./dashboard-widgets.cjs').GraphRow} custom
 * @returns {import('./dashboard-widgets.cjs').Row[]}
 */
const archiveRows = (settings, custom) => {
  if (!settings.archive.enabled) return [];
  /**
   * @param {import('./watched-metrics.cjs').QueueMetricName} name
   * @param {string} label
   */
  const queue = (name, label) => graphRow(queueMetric('ArchiveQueue', name), 'Maximum', label);
  return [
    {
      height: 6,
      widgets: [
        [
          graph('Archive: packages', [
            custom('PackageArchived', 'archived'),
            custom('ArchiveFailed', 'failed for good'),
          ]),
          6,
        ],
        [graph('Archive: documents stored', [custom('DocumentsArchived', 'documents')]), 6],
        [graph('Archive: bytes stored', [custom('ArchiveBytes', 'bytes')]), 6],
        [
          graph(
            'Archive queue: oldest request (s)',
            [
              queue('ApproximateAgeOfOldestMessage', 'oldest'),
              queue('ApproximateNumberOfMessagesVisible', 'waiting'),
              queue('ApproximateNumberOfMessagesNotVisible', 'in flight'),
            ],
            { period: 60, annotations: line('alarm', settings.archiveQueueAgeAlarmSeconds) },
          ),
          6,
        ],
      ],
    },
  ];
};

module.exports = { archiveRows };
