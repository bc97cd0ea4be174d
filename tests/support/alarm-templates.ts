import { beforeAll } from 'vitest';
import { type CfnResource, type CfnTemplate, resourcesOfType } from './cloudformation.ts';
import { type Configuration, packagedService } from './packaged-services.ts';

/** The packaged templates of these configurations, read before the file's tests. */
export const packagedTemplates = <Name extends Configuration>(
  configurations: readonly Name[],
): Readonly<Record<Name, CfnTemplate>> => {
  const templates = {} as Record<Name, CfnTemplate>;
  beforeAll(async () => {
    for (const configuration of configurations) {
      templates[configuration] = (await packagedService(configuration)).template;
    }
  }, 300_000);
  return templates;
};

/** The template's alarms, by logical id. */
export const alarmsOf = (template: CfnTemplate): Record<string, CfnResource> =>
  Object.fromEntries(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));

/** `${name}` as Fn::Sub writes a reference, without a template string's own `${`. */
export const placeholder = (name: string) => `\${${name}}`;
