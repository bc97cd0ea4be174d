// The stack's CloudWatch dashboard: the figures an operator looks at first, top to bottom: the
// alarms, what became of the finishes, the queues, the callback, the tenants, then the functions
// themselves.
// Each graph draws a metric of infra/watched-metrics.cjs, as the alarms read it.
const { alarmDefinitions } = require('./alarm-definitions.cjs');
const { archiveRows } = require('./dashboard-archive.cjs');
const { REGION, att, graph, graphRow, layout, line } = require('./dashboard-widgets.cjs');
const { readSettings } = require('./monitoring-settings.cjs');
const { tenantRow } = require('./dashboard-tenants.cjs');
const watched = require('./watched-metrics.cjs');

/** @typedef {import('./dashboard-widgets.cjs').GraphRow} GraphRow */
/** @typedef {import('./dashboard-widgets.cjs').Statistic} Statistic */

/**
 * The line of one metric for each function of the stack.
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @param {import('./watched-metrics.cjs').FunctionMetricName} name
 * @param {Statistic} stat
 * @returns {GraphRow[]}
 */
const everyFunction = (settings, name, stat) =>
  watched
    .stackFunctions(settings)
    .map(({ key, logicalId }) => graphRow(watched.functionMetric(logicalId, name), stat, key));

/**
 * @param {string} queue
 * @param {import('./watched-metrics.cjs').QueueMetricName} name
 * @param {string} label
 */
const queueRow = (queue, name, label) =>
  graphRow(watched.queueMetric(queue, name), 'Maximum', label);

/** @param {import('./monitoring-settings.cjs').Settings} settings */
const dashboardBody = (settings) => {
  /**
   * @param {import('./watched-metrics.cjs').CustomMetricName} name
   * @param {string} label
   * @param {Statistic} [stat]
   */
  const custom = (name, label, stat = 'Sum') =>
    graphRow(watched.customMetric(settings.metricsService, name), stat, label);
  const status = `npm run status -- --stage ${settings.stage} --region ${REGION}`;
  const widgets = layout([
    {
      height: 4,
      widgets: [
        [
          {
            type: 'alarm',
            properties: {
              title: 'Alarms',
              alarms: alarmDefinitions(settings).map((alarm) => att(alarm.id, 'Arn')),
            },
          },
          16,
        ],
        [
          {
            type: 'text',
            properties: {
              markdown: `**${settings.stackName}**\n\nEach alarm's description says what it means and what to do (README: Alarms).\n\n\`${status}\``,
            },
          },
          8,
        ],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph(
            'Finishes by outcome',
            [
              custom('FinishSucceeded', 'succeeded'),
              custom('FinishFailed', 'failed for good'),
              custom('FinishRetrying', 'retrying'),
              custom('FinishSkipped', 'skipped (settled or held elsewhere)'),
              custom('SigningEventRejected', 'rejected (not a signing event)'),
            ],
            { stacked: true },
          ),
          12,
        ],
        [
          graph(
            "SigningHub's answers to finish requests",
            [
              custom('FinishResponse2xx', '2xx'),
              custom('FinishResponse4xx', '4xx'),
              custom('FinishResponse5xx', '5xx'),
              custom('FinishResponseNone', 'no answer (timeout, network)'),
            ],
            { stacked: true },
          ),
          12,
        ],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph(
            'Signing queue: messages',
            [
              queueRow('SigningEventsQueue', 'ApproximateNumberOfMessagesVisible', 'waiting'),
              queueRow('SigningEventsQueue', 'ApproximateNumberOfMessagesNotVisible', 'in flight'),
            ],
            { period: 60 },
          ),
          8,
        ],
        [
          graph(
            'Signing queue: oldest message (s)',
            [queueRow('SigningEventsQueue', 'ApproximateAgeOfOldestMessage', 'oldest')],
            { period: 60, annotations: line('alarm', settings.signingQueueAgeAlarmSeconds) },
          ),
          8,
        ],
        [
          graph(
            'Dead-letter queues: messages',
            [
              queueRow(
                'SigningEventsDeadLetterQueue',
                'ApproximateNumberOfMessagesVisible',
                'signing events',
              ),
              queueRow(
                'CompletionEventsDeadLetterQueue',
                'ApproximateNumberOfMessagesVisible',
                'completion events',
              ),
              ...(settings.archive.enabled
                ? [
                    queueRow(
                      'ArchiveDeadLetterQueue',
                      'ApproximateNumberOfMessagesVisible',
                      'archive requests',
                    ),
                  ]
                : []),
            ],
            { period: 60, annotations: line('alarm', settings.deadLetterAlarmThreshold) },
          ),
          8,
        ],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph('Callback', [
            custom('CallbackAccepted', 'accepted'),
            custom('CallbackRejected', 'rejected (no package id)'),
            custom('CallbackUnauthorised', 'unauthorised (401)'),
            graphRow(watched.HTTP_API_5XX, 'Sum', 'HTTP API 5xx'),
          ]),
          12,
        ],
        [
          graph('Packages made final, completion events', [
            custom('PackageCompleted', 'completed'),
            custom('PackageDeclined', 'declined'),
            custom('PackageDeleted', 'deleted'),
            custom('CompletionEventPublished', 'event published'),
            custom('CompletionEventRefused', 'event refused'),
          ]),
          12,
        ],
      ],
    },
    tenantRow(settings, custom),
    ...archiveRows(settings, custom),
    {
      height: 6,
      widgets: [
        [graph('Function errors', everyFunction(settings, 'Errors', 'Sum')), 8],
        [graph('Function throttles', everyFunction(settings, 'Throttles', 'Sum')), 8],
        [graph('Function duration p99 (ms)', everyFunction(settings, 'Duration', 'p99')), 8],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph(
            'finish: concurrent executions',
            [
              graphRow(
                watched.functionMetric('FinishLambdaFunction', 'ConcurrentExecutions'),
                'Maximum',
                'finish',
              ),
            ],
            {
              period: 60,
              annotations: line('maximum concurrency', settings.signingHubMaxConcurrency),
            },
          ),
          8,
        ],
        [
          graph(
            'publish: iterator age (ms)',
            [
              graphRow(
                watched.functionMetric('PublishLambdaFunction', 'IteratorAge'),
                'Maximum',
                'publish',
              ),
            ],
            {
              period: 60,
              annotations: line('alarm', settings.publishIteratorAgeAlarmSeconds * 1000),
            },
          ),
          8,
        ],
        [
          graph('Signing event to finish (ms)', [
            custom('SigningEventToFinish', 'p50', 'p50'),
            custom('SigningEventToFinish', 'p99', 'p99'),
            custom('SigningEventToFinish', 'maximum', 'Maximum'),
          ]),
          8,
        ],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph('SigningHub requests', [
            custom('FinishRequests', 'requests per settled finish', 'Average'),
            custom('SigningHubAuthentications', 'authentications'),
          ]),
          8,
        ],
        [
          graph('Reconcile', [
            custom('ReconcileChecked', 'packages checked'),
            custom('ReconcileConfirmed', 'packages confirmed'),
          ]),
          8,
        ],
        [
          graph('Cold starts', [
            [{ expression: watched.coldStartSearch(settings.metricsService), id: 'coldStarts' }],
          ]),
          8,
        ],
      ],
    },
  ]);
  return JSON.stringify({ widgets });
};

/** @param {import('./monitoring-settings.cjs').VariableSources} sources */
module.exports = async ({ resolveVariable }) => {
  const settings = await readSettings(resolveVariable);
  return {
    Resources: {
      Dashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: settings.stackName,
          DashboardBody: { 'Fn::Sub': dashboardBody(settings) },
        },
      },
    },
    Outputs: {
      DashboardName: { Description: 'The CloudWatch dashboard', Value: { Ref: 'Dashboard' } },
    },
  };
};
