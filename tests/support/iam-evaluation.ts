import {
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { type CfnTemplate, lambdaRole } from './cloudformation.ts';

/** A role as IAM holds it: its inline policies, parsed. */
export interface DeployedRole {
  readonly roleName: string;
  readonly roleArn: string;
  readonly accountId: string;
  readonly policies: readonly { readonly name: string; readonly document: unknown }[];
  /** Managed policies attached to the role: the functions' roles have none. */
  readonly attachedPolicyArns: readonly string[];
}

/** IAM answers policy documents URL-encoded (the SDK does not decode them). */
const policyDocument = (text: string | undefined): unknown => {
  if (!text) throw new Error('a policy without a document');
  return JSON.parse(text.startsWith('%7B') ? decodeURIComponent(text) : text);
};

/** Reads a role back from IAM: ListRolePolicies, then GetRolePolicy for each. */
export const readRole = async (iam: IAMClient, roleArn: string): Promise<DeployedRole> => {
  const roleName = roleArn.split('/').at(-1) ?? '';
  const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const { PolicyNames: names = [] } = await iam.send(
    new ListRolePoliciesCommand({ RoleName: roleName }),
  );
  const policies = [];
  for (const name of names) {
    const { PolicyDocument: text } = await iam.send(
      new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }),
    );
    policies.push({ name, document: policyDocument(text) });
  }
  const { AttachedPolicies: attached = [] } = await iam.send(
    new ListAttachedRolePoliciesCommand({ RoleName: roleName }),
  );
  return {
    roleName,
    roleArn: role?.Arn ?? roleArn,
    accountId: roleArn.split(':')[4] ?? '',
    policies,
    attachedPolicyArns: attached.map((policy) => policy.PolicyArn ?? ''),
  };
};

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * IAM's decision for the function's session (the role assumed by Lambda) doing `action` on
 * `resource`, from the role's policies alone: no resource policy, SCP or boundary applies here.
 */
export const decide = async (
  role: DeployedRole,
  action: string,
  resource: string,
  /** What the service tells IAM of the request, such as DynamoDB's `dynamodb:LeadingKeys`. */
  contextVariables: Record<string, string | string[]> = {},
  /** The resource's own policy, such as a KMS key's (KMS needs one to allow as well). */
  resourcePolicy?: unknown,
): Promise<Decision> => {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/session`,
        action,
        resource: { resource, accountId: role.accountId },
        contextVariables,
      },
      identityPolicies: role.policies.map((policy) => ({
        name: policy.name,
        policy: policy.document,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`cannot simulate ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
};

/**
 * A KMS key's default key policy: the account's own IAM policies decide who may use the key. KMS
 * allows nothing its key policy does not, so a key's decision is taken with this one.
 */
export const defaultKeyPolicy = (accountId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
});

/** The role once per statement of its policies: each with that statement alone. */
export const eachStatement = (role: DeployedRole): DeployedRole[] =>
  role.policies.flatMap(({ name, document }) => {
    const { Statement: statements = [], ...rest } = document as { Statement?: unknown[] };
    return [statements].flat().map((statement) => ({
      ...role,
      policies: [{ name, document: { ...rest, Statement: [statement] } }],
    }));
  });

/** A template value with its references replaced: `${X}`, Ref and Fn::GetAtt, by `values`. */
const resolved = (node: unknown, values: Readonly<Record<string, string>>): unknown => {
  const value = (name: string) => values[name] ?? `<${name}>`;
  if (Array.isArray(node)) return node.map((item) => resolved(item, values));
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if (typeof record['Fn::Sub'] === 'string') {
    return record['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, name: string) => value(name));
  }
  if (typeof record.Ref === 'string') return value(record.Ref);
  const attribute = record['Fn::GetAtt'];
  if (Array.isArray(attribute)) return value(attribute.join('.'));
  return Object.fromEntries(
    Object.entries(record).map(([key, child]) => [key, resolved(child, values)]),
  );
};

/**
 * A function's role as a packaged template writes it, for a configuration not deployed: its
 * policies with each reference replaced as CloudFormation would resolve it, from `values` (a
 * bucket's name, say; AWS::Partition, AWS::Region and AWS::AccountId are given). A reference
 * without a value becomes `<name>`, which matches no ARN.
 */
export const templateRole = (
  template: CfnTemplate,
  key: string,
  values: Readonly<Record<string, string>> = {},
): DeployedRole => {
  const accountId = '123456789012';
  const role = lambdaRole(template, key);
  const pseudo = {
    'AWS::Partition': 'aws',
    'AWS::Region': 'eu-west-1',
    'AWS::AccountId': accountId,
  };
  const policies = (role.Properties.Policies ?? []) as { PolicyDocument: unknown }[];
  return {
    roleName: `${key}-role`,
    roleArn: `arn:aws:iam::${accountId}:role/${key}-role`,
    accountId,
    policies: policies.map((policy, index) => ({
      name: `policy-${index}`,
      document: resolved(policy.PolicyDocument, { ...pseudo, ...values }),
    })),
    attachedPolicyArns: [],
  };
};
