// Where the tenants' settings live: one Secrets Manager secret per tenant, named
// `<tenantsSecretPrefix><tenant>`. serverless.yml gives the prefix to the functions that read
// tenant settings (TENANTS_SECRET_PREFIX) and grants them GetSecretValue on `<prefix>*`, so the
// prefix is checked here, while `serverless package` resolves it: a prefix that would also reach
// the credentials or callback secret, or that IAM would read as a wildcard, stops the packaging.
// An empty prefix turns tenants off: the functions get an empty TENANTS_SECRET_PREFIX and no grant.

/**
 * The characters Secrets Manager allows in a secret's name. `*` and `?` are not among them, and
 * would widen the grant (IAM reads them as wildcards in `<prefix>*`).
 */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/**
 * The tenants' prefix of this packaging, checked against the deployment's other secrets.
 * @param {string} prefix
 * @param {Readonly<Record<string, string>>} otherSecrets each other secret's name, by its parameter
 */
const checkedPrefix = (prefix, otherSecrets) => {
  if (prefix === '') return prefix;
  if (!SECRET_NAME.test(prefix)) {
    throw new Error(
      `the parameter tenantsSecretPrefix may hold only the characters of a secret's name (letters, digits and /_+=.@-), not "${prefix}"`,
    );
  }
  if (!prefix.endsWith('/')) {
    throw new Error(
      `the parameter tenantsSecretPrefix must end with "/", not "${prefix}": the grant on "${prefix}*" would also reach every secret whose name merely starts with it`,
    );
  }
  for (const [parameter, name] of Object.entries(otherSecrets)) {
    if (name.startsWith(prefix)) {
      throw new Error(
        `the parameter tenantsSecretPrefix "${prefix}" covers the secret ${name} (${parameter}): the grant on "${prefix}*" must reach tenant secrets and nothing else; choose a prefix that none of the deployment's other secrets starts with`,
      );
    }
  }
  return prefix;
};

/**
 * What serverless.yml reads: `prefix`, the functions' TENANTS_SECRET_PREFIX, and `secretArns`, the
 * resources of their grant: none when tenants are off (infra/drop-empty-statements.cjs then leaves
 * the statement out).
 * @param {import('./monitoring-settings.cjs').VariableSources} sources
 */
module.exports = async ({ resolveVariable }) => {
  /** @param {string} name */
  const text = async (name) => String((await resolveVariable(`param:${name}`)) ?? '').trim();
  const prefix = checkedPrefix(await text('tenantsSecretPrefix'), {
    credentialsSecretName: await text('credentialsSecretName'),
    callbackSecretName: await text('callbackSecretName'),
  });
  return {
    prefix,
    // Secrets Manager appends `-` and six random characters to a secret's name in its ARN: `*` covers them.
    secretArns:
      prefix === ''
        ? []
        : [
            {
              'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${prefix}*`,
            },
          ],
  };
};
