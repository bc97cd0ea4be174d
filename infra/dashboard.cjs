// @ts-nocheck (until this file is typed: infra/ is type-checked, tsconfig.json checkJs)
// The stack's CloudWatch dashboard: the figures an operator looks at first, top to bottom: the
// alarms, what became of the finishes, the queues, the callback, then the functions themselves.
// The body is JSON in an Fn::Sub, so it names the stack's own queues, functions, API and alarms.
const {
  FUNCTIONS,
  METRICS_NAMESPACE,
  alarmDefinitions,
  readSettings,
} = require('./monitoring.cjs');

/** What Fn::Sub replaces: a resource's Ref or attribute, a pseudo parameter. */
const ref = (logicalId) => `\${${logicalId}}`;
const att = (logicalId, attribute) => ref(`${logicalId}.${attribute}`);
const REGION = ref('AWS::Region');

const queueMetric = (queue, name, label) => [
  'AWS/SQS',
  name,
  'QueueName',
  att(queue, 'QueueName'),
  { stat: 'Maximum', label },
];
const functionMetric = (name, stat) =>
  FUNCTIONS.map(({ key, logicalId }) => [
    'AWS/Lambda',
    name,
    'FunctionName',
    ref(logicalId),
    { stat, label: key },
  ]);
const line = (label, value) => ({ horizontal: [{ label, value }] });

const graph = (title, metrics, options = {}) => ({
  type: 'metric',
  properties: {
    title,
    region: REGION,
    view: 'timeSeries',
    period: 300,
    yAxis: { left: { min: 0 } },
    metrics,
    ...options,
  },
});

/** Lays rows of [widget, width] out on the dashboard's 24-column grid, each row `height` high. */
const layout = (rows) => {
  let y = 0;
  return rows.flatMap(({ height, widgets }) => {
    let x = 0;
    const placed = widgets.map(([widget, width]) => {
      const at = { ...widget, x, y, width, height };
      x += width;
      return at;
    });
    y += height;
    return placed;
  });
};

const dashboardBody = (settings) => {
  const custom = (name, label, stat = 'Sum') => [
    METRICS_NAMESPACE,
    name,
    'service',
    settings.metricsService,
    { stat, label },
  ];
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
              queueMetric('SigningEventsQueue', 'ApproximateNumberOfMessagesVisible', 'waiting'),
              queueMetric(
                'SigningEventsQueue',
                'ApproximateNumberOfMessagesNotVisible',
                'in flight',
              ),
            ],
            { period: 60 },
          ),
          8,
        ],
        [
          graph(
            'Signing queue: oldest message (s)',
            [queueMetric('SigningEventsQueue', 'ApproximateAgeOfOldestMessage', 'oldest')],
            { period: 60, annotations: line('alarm', settings.signingQueueAgeAlarmSeconds) },
          ),
          8,
        ],
        [
          graph(
            'Dead-letter queues: messages',
            [
              queueMetric(
                'SigningEventsDeadLetterQueue',
                'ApproximateNumberOfMessagesVisible',
                'signing events',
              ),
              queueMetric(
                'CompletionEventsDeadLetterQueue',
                'ApproximateNumberOfMessagesVisible',
                'completion events',
              ),
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
            [
              'AWS/ApiGateway',
              '5xx',
              'ApiId',
              ref('HttpApi'),
              'Stage',
              '$default',
              { stat: 'Sum', label: 'HTTP API 5xx' },
            ],
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
    {
      height: 6,
      widgets: [
        [graph('Function errors', functionMetric('Errors', 'Sum')), 8],
        [graph('Function throttles', functionMetric('Throttles', 'Sum')), 8],
        [graph('Function duration p99 (ms)', functionMetric('Duration', 'p99')), 8],
      ],
    },
    {
      height: 6,
      widgets: [
        [
          graph(
            'finish: concurrent executions',
            [
              [
                'AWS/Lambda',
                'ConcurrentExecutions',
                'FunctionName',
                ref('FinishLambdaFunction'),
                { stat: 'Maximum', label: 'finish' },
              ],
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
              [
                'AWS/Lambda',
                'IteratorAge',
                'FunctionName',
                ref('PublishLambdaFunction'),
                { stat: 'Maximum', label: 'publish' },
              ],
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
            [
              {
                // Powertools adds function_name to ColdStart: a search finds it by either set.
                expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="ColdStart" service="${settings.metricsService}"', 'Sum', 300)`,
                id: 'coldStarts',
              },
            ],
          ]),
          8,
        ],
      ],
    },
  ]);
  return JSON.stringify({ widgets });
};

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
