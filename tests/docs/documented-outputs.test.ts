import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../support/cloudformation.ts';
import { packagedService } from '../support/packaged-services.ts';

/** The outputs docs/interface.md lists under "The stack outputs are:", in its order. */
const documentedOutputs = async (): Promise<string[]> => {
  const text = await readFile(new URL('../../docs/interface.md', import.meta.url), 'utf8');
  const section = text.split('The stack outputs are:\n')[1] ?? '';
  const list = section.trimStart().split('\n\n')[0] ?? '';
  return list.split('\n').flatMap((line) => /^- `([A-Za-z]+)`/.exec(line)?.[1] ?? []);
};

let template: CfnTemplate;

beforeAll(async () => {
  template = (await packagedService('default')).template;
  // Packaging builds five functions: minutes on a loaded machine, as the infra tests allow.
}, 300_000);

describe('the interface document', () => {
  it("lists every output of the packaged stack that is not the framework's own, and no other", async () => {
    const outputs = Object.keys(template.Outputs ?? {}).filter(
      // The framework's own: the deployment bucket, the HTTP API's URL and each function's version.
      (name) =>
        !/^(ServerlessDeploymentBucketName|HttpApiId|HttpApiUrl|.*LambdaFunctionQualifiedArn)$/.test(
          name,
        ),
    );
    expect((await documentedOutputs()).sort()).toEqual(outputs.sort());
  });
});
