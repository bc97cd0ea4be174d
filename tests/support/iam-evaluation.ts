import {
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { runSimulation } from '@cloud-copilot/iam-simulate';

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
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(`cannot simulate ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
};

/** The role once per statement of its policies: each with that statement alone. */
export const eachStatement = (role: DeployedRole): DeployedRole[] =>
  role.policies.flatMap(({ name, document }) => {
    const { Statement: statements = [], ...rest } = document as { Statement?: unknown[] };
    return [statements].flat().map((statement) => ({
      ...role,
      policies: [{ name, document: { ...rest, Statement: [statement] } }],
    }));
  });
