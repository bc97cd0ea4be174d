import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { alarmsOf, packagedTemplates } from '../support/alarm-templates.ts';
import { type CfnTemplate, createdResources, withParameters } from '../support/cloudformation.ts';

const templates = packagedTemplates(['default', 'existingAlarmTopic', 'alarmEmail']);

const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:operations-alarms';

/**
 * The alarms whose return to OK tells nobody anything: each failed finish stays to handle, and an
 * hour without a read of a tenant's secret says nothing of its expiring certificate.
 */
const NO_OK_NOTICE = ['FinishFailedAlarm', 'ClientCertificateExpiringAlarm', 'ArchiveFailedAlarm'];

/** Where the stack says its alarms notify (its output AlarmNotificationTopicArn). */
const notifiedTopic = (template: CfnTemplate): unknown => {
  const output = template.Outputs?.AlarmNotificationTopicArn as { Value: unknown } | undefined;
  return withParameters(template, output?.Value);
};

/** Whether a template's parameter pattern lets a value through (CloudFormation checks it). */
const allows = (template: CfnTemplate, parameter: string, value: string): boolean => {
  const pattern = template.Parameters?.[parameter]?.AllowedPattern;
  if (pattern === undefined) throw new Error(`${parameter} has no AllowedPattern`);
  return new RegExp(pattern).test(value);
};

/** Where the default packaging is deployed, for the policy's references. */
const ACCOUNT = '123456789012';
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:signinghub-finish-test-alarms`;
const DEPLOYED_NAMES: Readonly<Record<string, string>> = {
  AlarmTopic: TOPIC,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
};

/** A value as the deployed stack has it: each Ref and each ${…} of an Fn::Sub replaced. */
const deployed = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(deployed);
  if (typeof value !== 'object' || value === null) return value;
  const name = (key: string) => {
    const found = DEPLOYED_NAMES[key];
    if (found === undefined) throw new Error(`no deployed value for ${key}`);
    return found;
  };
  if ('Ref' in value) return name(String(value.Ref));
  if ('Fn::Sub' in value) {
    return String(value['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, key: string) => name(key));
  }
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, deployed(child)]));
};

interface PublishRequest {
  readonly principal?: string;
  readonly action?: string;
  readonly sourceAccount?: string;
  readonly alarmName?: string;
}

/** IAM's decision on a request to the topic, from the topic's policy (the stack's own topic). */
const decide = async (template: CfnTemplate, request: PublishRequest = {}) => {
  const {
    principal = 'cloudwatch.amazonaws.com',
    action = 'sns:Publish',
    sourceAccount = ACCOUNT,
    alarmName = 'signinghub-finish-test-finish-errors',
  } = request;
  const policy = createdResources(template).AlarmTopicPolicy?.Properties.PolicyDocument;
  const result = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource: TOPIC, accountId: ACCOUNT },
        contextVariables: {
          'aws:SourceAccount': sourceAccount,
          'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${sourceAccount}:alarm:${alarmName}`,
        },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: deployed(policy),
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
  return result.overallResult;
};

describe("the stack's own alarm topic (no alarmTopicArn)", () => {
  it('is what every alarm notifies when it fires, and when it clears where clearing means it is over', () => {
    const { default: template } = templates;
    const created = createdResources(template);
    expect(created.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
    expect(created.AlarmTopic?.Properties.TopicName).toBe('signinghub-finish-test-alarms');
    const alarms = Object.entries(alarmsOf(template));
    expect(alarms.length).toBeGreaterThan(NO_OK_NOTICE.length);
    for (const [id, alarm] of alarms) {
      const topic = [{ Ref: 'AlarmTopic' }];
      expect(withParameters(template, alarm.Properties.AlarmActions), id).toEqual(topic);
      expect(withParameters(template, alarm.Properties.OKActions), id).toEqual(
        NO_OK_NOTICE.includes(id) ? undefined : topic,
      );
      expect(alarm.Properties.InsufficientDataActions, id).toBeUndefined();
      // No data is no event: an idle empty queue, a function nobody invoked.
      expect(alarm.Properties.TreatMissingData, id).toBe('notBreaching');
    }
    expect(notifiedTopic(template)).toEqual({ Ref: 'AlarmTopic' });
  });

  it("lets CloudWatch publish for every alarm of the stack, as IAM evaluates the topic's policy", async () => {
    const { default: template } = templates;
    const policy = createdResources(template).AlarmTopicPolicy;
    expect(policy?.Condition).toBe('CreateAlarmTopic');
    expect(policy?.Properties.Topics).toEqual([{ Ref: 'AlarmTopic' }]);
    for (const alarm of Object.values(alarmsOf(template))) {
      const alarmName = String(alarm.Properties.AlarmName);
      expect(await decide(template, { alarmName }), alarmName).toBe('Allowed');
    }
  });

  it.each([
    ['an alarm of another account', { sourceAccount: '210987654321' }],
    ["an alarm of another stage's stack", { alarmName: 'signinghub-finish-prod-finish-errors' }],
    ['another service', { principal: 'events.amazonaws.com' }],
    ['a role of the same account', { principal: `arn:aws:iam::${ACCOUNT}:role/someone` }],
    ['another action', { action: 'sns:Subscribe' }],
  ] satisfies [string, PublishRequest][])('lets nothing else through: %s', async (_, request) => {
    expect(await decide(templates.default, request)).toBe('ImplicitlyDenied');
  });

  it('has no address subscribed when alarmEmail is empty', () => {
    const { default: template } = templates;
    expect(template.Resources.AlarmEmailSubscription?.Condition).toBe('SubscribeAlarmEmail');
    expect(createdResources(template).AlarmEmailSubscription).toBeUndefined();
  });
});

describe('an existing topic (alarmTopicArn)', () => {
  it('replaces the topic of the stack: none is created, every alarm notifies the given ARN', () => {
    const { existingAlarmTopic: template } = templates;
    const created = Object.values(createdResources(template)).map((found) => found.Type);
    expect(created).not.toContain('AWS::SNS::Topic');
    expect(created).not.toContain('AWS::SNS::TopicPolicy');
    expect(created).not.toContain('AWS::SNS::Subscription');
    const alarms = alarmsOf(template);
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(alarmsOf(templates.default)).sort());
    for (const [id, alarm] of Object.entries(alarms)) {
      expect(withParameters(template, alarm.Properties.AlarmActions), id).toEqual([EXISTING_TOPIC]);
      expect(withParameters(template, alarm.Properties.OKActions), id).toEqual(
        NO_OK_NOTICE.includes(id) ? undefined : [EXISTING_TOPIC],
      );
    }
    expect(notifiedTopic(template)).toBe(EXISTING_TOPIC);
  });
});

describe('an address to notify (alarmEmail)', () => {
  it("subscribes the address to the stack's topic", () => {
    const { alarmEmail: template } = templates;
    const subscription = createdResources(template).AlarmEmailSubscription;
    expect(subscription?.Type).toBe('AWS::SNS::Subscription');
    expect(withParameters(template, subscription?.Properties)).toEqual({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(createdResources(template).AlarmTopic?.Type).toBe('AWS::SNS::Topic');
  });
});

describe('the alarm topic parameters', () => {
  it.each(['default', 'existingAlarmTopic', 'alarmEmail'] as const)(
    'let CloudFormation refuse a malformed topic ARN or address (%s)',
    (configuration) => {
      const template = templates[configuration];
      expect(allows(template, 'AlarmTopicArn', '')).toBe(true);
      expect(allows(template, 'AlarmTopicArn', EXISTING_TOPIC)).toBe(true);
      expect(allows(template, 'AlarmTopicArn', 'operations-alarms')).toBe(false);
      expect(allows(template, 'AlarmTopicArn', 'arn:aws:sqs:eu-west-1:123456789012:q')).toBe(false);
      expect(allows(template, 'AlarmEmail', '')).toBe(true);
      expect(allows(template, 'AlarmEmail', 'ops@example.com')).toBe(true);
      expect(allows(template, 'AlarmEmail', 'ops')).toBe(false);
      expect(allows(template, 'AlarmEmail', 'ops@example.com, dev@example.com')).toBe(false);
    },
  );
});
