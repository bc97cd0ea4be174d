import { describe, expect, it } from 'vitest';
import { packagedTemplates } from '../support/alarm-templates.ts';
import {
  actionsOf,
  type CfnTemplate,
  environmentOf,
  lambdaRole,
  type PolicyStatement,
  resourcesOfType,
  roleStatements,
} from '../support/cloudformation.ts';
import { packagingRefusal } from '../support/packaged-services.ts';

const templates = packagedTemplates(['default', 'customTenants', 'noTenants']);

/**
 * The functions that read tenant settings (finish, callback, reconcile, archive), and the one
 * that never does.
 */
const READERS = ['finish', 'callback', 'reconcile', 'archive'] as const;
const FUNCTIONS = [...READERS, 'publish'] as const;

const GET_SECRET = 'secretsmanager:GetSecretValue';

/** A secret's ARN as the template writes it, from the name (or name pattern) in it. */
const secretArn = (name: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}`,
});

const statementsOf = (template: CfnTemplate, key: string): PolicyStatement[] =>
  roleStatements(lambdaRole(template, key));

/** Every resource a function may read secrets from, in any order (each as JSON, sorted). */
const readableSecrets = (template: CfnTemplate, key: string): string[] =>
  statementsOf(template, key)
    .filter((statement) => actionsOf(statement).includes(GET_SECRET))
    .flatMap((statement) => [statement.Resource].flat())
    .map((resource) => JSON.stringify(resource))
    .sort();

/** Resources as readableSecrets lists them. */
const listed = (...resources: unknown[]): string[] =>
  resources.map((resource) => JSON.stringify(resource)).sort();

/** The secrets each function read before tenants, in stage `stage`. */
const ownSecrets = (stage: string): Record<(typeof FUNCTIONS)[number], unknown[]> => {
  const credentials = secretArn(`signinghub-finish/${stage}/credentials-??????`);
  return {
    finish: [credentials],
    callback: [credentials, secretArn(`signinghub-finish/${stage}/callback-??????`)],
    reconcile: [credentials],
    archive: [credentials],
    publish: [],
  };
};

describe("the tenants' secret prefix, by default", () => {
  it('is given to finish, callback, reconcile and archive as TENANTS_SECRET_PREFIX, not to publish', () => {
    for (const key of READERS) {
      expect(environmentOf(templates.default, key).TENANTS_SECRET_PREFIX, key).toBe(
        'signinghub-finish/test/tenants/',
      );
    }
    expect(environmentOf(templates.default, 'publish')).not.toHaveProperty('TENANTS_SECRET_PREFIX');
  });

  it('lets finish, callback, reconcile and archive read every secret under it, in a statement of its own', () => {
    for (const key of READERS) {
      expect(statementsOf(templates.default, key), key).toContainEqual({
        Effect: 'Allow',
        Action: [GET_SECRET],
        Resource: [secretArn('signinghub-finish/test/tenants/*')],
      });
      expect(readableSecrets(templates.default, key), key).toEqual(
        listed(...ownSecrets('test')[key], secretArn('signinghub-finish/test/tenants/*')),
      );
    }
  });

  it('grants publish no secret at all', () => {
    expect(readableSecrets(templates.default, 'publish')).toEqual([]);
    expect(JSON.stringify(statementsOf(templates.default, 'publish'))).not.toContain('secret');
  });
});

describe("the tenants' secret prefix, set by the operator", () => {
  it('is what the four functions get and what their grant covers, and nothing of the default', () => {
    const { customTenants: template } = templates;
    for (const key of READERS) {
      expect(environmentOf(template, key).TENANTS_SECRET_PREFIX, key).toBe(
        'acme-vendor/signinghub/customers/',
      );
      expect(readableSecrets(template, key), key).toEqual(
        listed(...ownSecrets('vendor')[key], secretArn('acme-vendor/signinghub/customers/*')),
      );
    }
    expect(readableSecrets(template, 'publish')).toEqual([]);
  });
});

describe("an empty tenants' secret prefix (tenants off)", () => {
  it('gives the four functions an empty TENANTS_SECRET_PREFIX', () => {
    for (const key of READERS) {
      expect(environmentOf(templates.noTenants, key).TENANTS_SECRET_PREFIX, key).toBe('');
    }
  });

  it('grants no tenant secret: each function reads only the secrets it read before tenants', () => {
    for (const key of FUNCTIONS) {
      expect(readableSecrets(templates.noTenants, key), key).toEqual(
        listed(...ownSecrets('single')[key]),
      );
    }
  });

  it('leaves no statement without a resource in any role (IAM refuses one)', () => {
    for (const template of Object.values(templates)) {
      for (const [id, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
        for (const statement of roleStatements(role)) {
          expect([statement.Resource].flat().length, id).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe("serverless package, given a tenants' secret prefix that reaches too far", () => {
  it.each([
    [
      'without its trailing slash',
      ['tenantsSecretPrefix=signinghub-finish/refused/tenants'],
      'the parameter tenantsSecretPrefix must end with "/", not "signinghub-finish/refused/tenants"',
    ],
    [
      'covering the credentials secret',
      ['tenantsSecretPrefix=signinghub-finish/refused/'],
      'the parameter tenantsSecretPrefix "signinghub-finish/refused/" covers the secret signinghub-finish/refused/credentials (credentialsSecretName)',
    ],
    [
      'covering the callback secret',
      ['callbackSecretName=shared/callback', 'tenantsSecretPrefix=shared/'],
      'the parameter tenantsSecretPrefix "shared/" covers the secret shared/callback (callbackSecretName)',
    ],
    [
      'equal to the credentials secret',
      ['credentialsSecretName=team/signinghub/', 'tenantsSecretPrefix=team/signinghub/'],
      'the parameter tenantsSecretPrefix "team/signinghub/" covers the secret team/signinghub/ (credentialsSecretName)',
    ],
    [
      'with a character IAM reads as a wildcard',
      ['tenantsSecretPrefix=signinghub-finish/*/tenants/'],
      "the parameter tenantsSecretPrefix may hold only the characters of a secret's name",
    ],
  ])(
    'refuses one %s',
    async (_what, params, reason) => {
      expect(await packagingRefusal({ stage: 'refused', params })).toContain(reason);
    },
    120_000,
  );
});

describe("finish's hand-back of a tenant's messages while its circuit is open", () => {
  it('gives finish, and only finish, the signing queue URL', () => {
    expect(environmentOf(templates.default, 'finish').SIGNING_EVENTS_QUEUE_URL).toEqual({
      Ref: 'SigningEventsQueue',
    });
    for (const key of ['callback', 'reconcile', 'publish', 'archive']) {
      expect(environmentOf(templates.default, key), key).not.toHaveProperty(
        'SIGNING_EVENTS_QUEUE_URL',
      );
    }
  });

  it('lets finish, and only finish, change a message visibility, on the signing queue alone', () => {
    const changes = (key: string) =>
      statementsOf(templates.default, key).filter((statement) =>
        actionsOf(statement).includes('sqs:ChangeMessageVisibility'),
      );
    expect(changes('finish')).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:ChangeMessageVisibility'],
        Resource: { 'Fn::GetAtt': ['SigningEventsQueue', 'Arn'] },
      },
    ]);
    for (const key of ['callback', 'reconcile', 'publish', 'archive']) {
      expect(changes(key), key).toEqual([]);
    }
  });
});
