// A local Serverless plugin. A function's iamRoleStatements are a YAML list, which no variable can
// shorten; a grant that a packaging may not need (the tenant secrets', infra/tenant-secrets.cjs)
// is written with a Resource list that is empty when it is not needed. Such a statement grants
// nothing and IAM refuses it, so this leaves it out of every role once the roles are made
// (serverless-iam-roles-per-function makes them in `before:package:finalize`).

/**
 * @typedef {{ Resource?: unknown }} Statement
 * @typedef {{ PolicyDocument?: { Statement?: Statement[] } }} Policy
 * @typedef {{ Type?: string, Properties?: { Policies?: Policy[] } }} Resource
 */

/**
 * The part of the framework's `serverless` object this plugin reads.
 * @typedef {{
 *   service: { provider: { compiledCloudFormationTemplate: { Resources: Record<string, Resource> } } },
 * }} Serverless
 */

/** @param {Statement} statement */
const grantsNothing = (statement) =>
  Array.isArray(statement.Resource) && statement.Resource.length === 0;

class DropEmptyStatements {
  /** @param {Serverless} serverless */
  constructor(serverless) {
    this.hooks = {
      // After every plugin's `before:package:finalize`, before the template is written.
      'before:aws:package:finalize:saveServiceState': () => {
        const { Resources } = serverless.service.provider.compiledCloudFormationTemplate;
        for (const resource of Object.values(Resources)) {
          if (resource.Type !== 'AWS::IAM::Role') continue;
          for (const policy of resource.Properties?.Policies ?? []) {
            const document = policy.PolicyDocument;
            if (document?.Statement === undefined) continue;
            document.Statement = document.Statement.filter(
              (statement) => !grantsNothing(statement),
            );
          }
        }
      },
    };
  }
}

module.exports = DropEmptyStatements;
