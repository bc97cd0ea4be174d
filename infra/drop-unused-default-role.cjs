// A local Serverless plugin. serverless-iam-roles-per-function gives every function its own role,
// copied from the framework's default role `IamRoleLambdaExecution`, which it needs while packaging
// and then leaves in the template unused (it cannot skip creating it: functionalone/
// serverless-iam-roles-per-function#7). This removes that role once the template is complete,
// and only when nothing in the template refers to it.
const DEFAULT_ROLE = 'IamRoleLambdaExecution';

/**
 * @param {unknown} node
 * @param {string} logicalId
 * @returns {boolean}
 */
const refersTo = (node, logicalId) => {
  if (Array.isArray(node)) return node.some((child) => refersTo(child, logicalId));
  if (node === null || typeof node !== 'object') return false;
  return Object.entries(node).some(([key, value]) => {
    if (key === 'Ref' && value === logicalId) return true;
    if (key === 'Fn::GetAtt') {
      const target = Array.isArray(value) ? value[0] : String(value).split('.')[0];
      if (target === logicalId) return true;
    }
    if (key === 'Fn::Sub' && JSON.stringify(value).includes(`\${${logicalId}`)) return true;
    if (key === 'DependsOn' && [value].flat().includes(logicalId)) return true;
    return refersTo(value, logicalId);
  });
};

/**
 * The part of the framework's `serverless` object this plugin reads.
 * @typedef {{
 *   service: { provider: { compiledCloudFormationTemplate: {
 *     Resources: Record<string, unknown>,
 *     Outputs?: Record<string, unknown>,
 *   } } },
 * }} Serverless
 */

class DropUnusedDefaultRole {
  /** @param {Serverless} serverless */
  constructor(serverless) {
    this.hooks = {
      // After every plugin's `before:package:finalize` and the merge of `resources`, before the
      // template is written.
      'before:aws:package:finalize:saveServiceState': () => {
        const template = serverless.service.provider.compiledCloudFormationTemplate;
        const { [DEFAULT_ROLE]: role, ...others } = template.Resources;
        if (role === undefined || refersTo([others, template.Outputs ?? {}], DEFAULT_ROLE)) return;
        delete template.Resources[DEFAULT_ROLE];
      },
    };
  }
}

module.exports = DropUnusedDefaultRole;
