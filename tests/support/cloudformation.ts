export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown> & { [key: string]: unknown };
  DependsOn?: string | string[];
}

export interface CfnParameter {
  Type: string;
  Default?: string;
  AllowedPattern?: string;
}

export interface CfnTemplate {
  Parameters?: Record<string, CfnParameter>;
  Resources: Record<string, CfnResource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, unknown>;
}

export const resourcesOfType = (template: CfnTemplate, type: string): [string, CfnResource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

export const resource = (template: CfnTemplate, logicalId: string): CfnResource => {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
};

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of the inline policies of a role. */
export const roleStatements = (role: CfnResource): PolicyStatement[] => {
  const policies = (role.Properties.Policies ?? []) as {
    PolicyDocument: { Statement: PolicyStatement[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

export const actionsOf = (statement: PolicyStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A template parameter's value when the stack is deployed as `serverless deploy` deploys it: the
 * default the packaging wrote, since osls passes no parameter values.
 */
export const parameterValue = (template: CfnTemplate, name: string): string => {
  const value = template.Parameters?.[name]?.Default;
  if (value === undefined) throw new Error(`the template has no parameter ${name} with a default`);
  return value;
};

const evaluate = (template: CfnTemplate, node: unknown): unknown => {
  if (!isRecord(node)) return node;
  const [[fn, args] = []] = Object.entries(node);
  const list = (Array.isArray(args) ? args : [args]).map((arg) => evaluate(template, arg));
  switch (fn) {
    case 'Ref':
      return parameterValue(template, String(args));
    case 'Condition':
      return conditionHolds(template, String(args));
    case 'Fn::Equals':
      return list[0] === list[1];
    case 'Fn::Not':
      return list[0] !== true;
    case 'Fn::And':
      return list.every((value) => value === true);
    case 'Fn::Or':
      return list.some((value) => value === true);
    default:
      throw new Error(`a condition with ${String(fn)} is not understood here`);
  }
};

/** Whether a condition of the template holds for its parameters' defaults, as CloudFormation decides it. */
export const conditionHolds = (template: CfnTemplate, name: string): boolean => {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`the template has no condition ${name}`);
  return evaluate(template, condition) === true;
};

/** The resources CloudFormation creates from the template: those whose condition holds, if any. */
export const createdResources = (template: CfnTemplate): Record<string, CfnResource> =>
  Object.fromEntries(
    Object.entries(template.Resources).filter(
      ([, found]) => found.Condition === undefined || conditionHolds(template, found.Condition),
    ),
  );

/**
 * A value as CloudFormation sees it once the stack's parameters are known: each Fn::If replaced by
 * its chosen branch and each Ref to a parameter by the parameter's value; other Refs stay.
 */
export const withParameters = (template: CfnTemplate, value: unknown): unknown => {
  if (Array.isArray(value)) return value.map((item) => withParameters(template, item));
  if (!isRecord(value)) return value;
  const branches = value['Fn::If'];
  if (Array.isArray(branches)) {
    const [condition, ifTrue, ifFalse] = branches;
    return withParameters(template, conditionHolds(template, String(condition)) ? ifTrue : ifFalse);
  }
  const ref = value.Ref;
  if (typeof ref === 'string' && template.Parameters?.[ref] !== undefined) {
    return parameterValue(template, ref);
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, withParameters(template, child)]),
  );
};

/** A function of the template by its key in serverless.yml (`finish`: FinishLambdaFunction). */
export const lambdaFunction = (template: CfnTemplate, key: string): CfnResource =>
  resource(template, `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`);

/** The role a function of the template runs on. */
export const lambdaRole = (template: CfnTemplate, key: string): CfnResource => {
  const role = lambdaFunction(template, key).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return resource(template, role['Fn::GetAtt'][0]);
};

/** A function's environment variables in the template. */
export const environmentOf = (template: CfnTemplate, key: string): Record<string, unknown> =>
  (lambdaFunction(template, key).Properties.Environment as { Variables: Record<string, unknown> })
    .Variables;
