// The alarms (infra/alarm-definitions.cjs defines them) and where they notify: a topic of the
// stack's own, or an existing one (`alarmTopicArn`), with an address subscribed (`alarmEmail`).
// Those two are template parameters, defaulting to the packaging's values, so that CloudFormation's
// conditions (not two strings compared at packaging time) decide whether the topic and the
// subscription exist.
const { alarmDefinitions } = require('./alarm-definitions.cjs');
const { readSettings } = require('./monitoring-settings.cjs');

/** @typedef {{ 'Fn::If': [string, { Ref: string }, { Ref: string }] }} TopicChoice */

/**
 * Where every alarm notifies.
 * @returns {TopicChoice}
 */
const alarmTopic = () => ({
  'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, { Ref: 'AlarmTopicArn' }],
});

/**
 * Only text that names a ${…} needs Fn::Sub (cfn-lint warns of a Sub without one).
 * @param {string} value
 */
const text = (value) => (value.includes('${') ? { 'Fn::Sub': value } : value);

/**
 * An AWS::CloudWatch::Alarm, with the properties this stack sets.
 * @typedef {{
 *   Type: 'AWS::CloudWatch::Alarm',
 *   Properties: {
 *     AlarmName: string,
 *     AlarmDescription: string | { 'Fn::Sub': string },
 *     Namespace: string,
 *     MetricName: string,
 *     Dimensions: import('./watched-metrics.cjs').Dimension[],
 *     Statistic: 'Sum' | 'Maximum',
 *     Period: number,
 *     EvaluationPeriods: number,
 *     DatapointsToAlarm: number,
 *     Threshold: number,
 *     ComparisonOperator: 'GreaterThanOrEqualToThreshold',
 *     TreatMissingData: 'notBreaching',
 *     AlarmActions: TopicChoice[],
 *     OKActions?: TopicChoice[],
 *   },
 * }} AlarmResource
 */

/**
 * @param {import('./monitoring-settings.cjs').Settings} settings
 * @param {import('./alarm-definitions.cjs').AlarmDefinition} alarm
 * @returns {AlarmResource}
 */
const alarmResource = (settings, alarm) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: `${settings.stackName}-${alarm.name}`,
    AlarmDescription: text(alarm.description),
    Namespace: alarm.metric.namespace,
    MetricName: alarm.metric.name,
    Dimensions: alarm.metric.dimensions,
    Statistic: alarm.statistic,
    Period: alarm.period,
    EvaluationPeriods: alarm.evaluationPeriods ?? 1,
    DatapointsToAlarm: alarm.evaluationPeriods ?? 1,
    Threshold: alarm.threshold,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    // No data is no event: an empty queue that went idle, a function nobody invoked.
    TreatMissingData: 'notBreaching',
    AlarmActions: [alarmTopic()],
    ...(alarm.okAction ? { OKActions: [alarmTopic()] } : {}),
  },
});

/** @param {import('./monitoring-settings.cjs').VariableSources} sources */
module.exports = async ({ resolveVariable }) => {
  const settings = await readSettings(resolveVariable);
  const alarms = alarmDefinitions(settings);
  return {
    Parameters: {
      AlarmTopicArn: {
        Type: 'String',
        Default: settings.alarmTopicArn,
        Description:
          'An existing SNS topic for the alarms (serverless param alarmTopicArn); empty: the stack makes its own',
        AllowedPattern: '^$|^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$',
        ConstraintDescription: 'empty, or the ARN of a standard SNS topic',
      },
      AlarmEmail: {
        Type: 'String',
        Default: settings.alarmEmail,
        Description:
          'An address subscribed to the alarm topic (serverless param alarmEmail); empty: none',
        AllowedPattern: '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
        ConstraintDescription: 'empty, or one email address',
      },
    },
    Conditions: {
      CreateAlarmTopic: { 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] },
      SubscribeAlarmEmail: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] },
    },
    Resources: {
      AlarmTopic: {
        Type: 'AWS::SNS::Topic',
        Condition: 'CreateAlarmTopic',
        Properties: {
          TopicName: `${settings.stackName}-alarms`,
          DisplayName: `${settings.stackName} alarms`,
        },
      },
      // Only this stack's alarms may publish (CloudWatch on behalf of this account, no other).
      AlarmTopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Condition: 'CreateAlarmTopic',
        Properties: {
          Topics: [{ Ref: 'AlarmTopic' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'StackAlarmsPublish',
                Effect: 'Allow',
                Principal: { Service: 'cloudwatch.amazonaws.com' },
                Action: 'sns:Publish',
                Resource: { Ref: 'AlarmTopic' },
                Condition: {
                  StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                  ArnLike: {
                    'aws:SourceArn': {
                      'Fn::Sub': `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${settings.stackName}-*`,
                    },
                  },
                },
              },
            ],
          },
        },
      },
      // An email subscription waits for the address to confirm it (SNS sends the link).
      AlarmEmailSubscription: {
        Type: 'AWS::SNS::Subscription',
        Condition: 'SubscribeAlarmEmail',
        Properties: { TopicArn: alarmTopic(), Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } },
      },
      ...Object.fromEntries(alarms.map((alarm) => [alarm.id, alarmResource(settings, alarm)])),
    },
    Outputs: {
      AlarmNotificationTopicArn: {
        Description: 'The SNS topic every alarm notifies',
        Value: alarmTopic(),
      },
    },
  };
};
