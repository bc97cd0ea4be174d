import { describe, expect, it } from 'vitest';
import { type SecretsStandIn, startSecretsStandIn } from '../../harness/secrets-stand-in.ts';
import { archiveHelpers, startArchiveStack } from '../support/archive-stack.ts';
import { startForFile } from '../support/file-stack.ts';
import { enterpriseAccount } from '../support/function-stack.ts';
import { packageIds } from '../support/package-ids.ts';

const PREFIX = 'test/tenants/';
const acme = enterpriseAccount('acme');

/** The archive with tenants: acme's settings in a Secrets Manager stand-in, and nobody's else. */
const { stack } = await startForFile(async () => {
  const secrets: SecretsStandIn = await startSecretsStandIn();
  try {
    const archiveStack = await startArchiveStack(
      { TENANTS_SECRET_PREFIX: PREFIX, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint },
      { enterprises: { acme: { credentials: acme } } },
    );
    secrets.put(
      `${PREFIX}acme`,
      JSON.stringify({
        base_url: archiveStack.simulator.enterprise('acme').url,
        client_id: acme.clientId,
        client_secret: acme.clientSecret,
        username: acme.username,
        password: acme.password,
      }),
    );
    return {
      ...archiveStack,
      stop: async () => {
        await archiveStack.stop();
        await secrets.close();
      },
    };
  } catch (error) {
    await secrets.close();
    throw error;
  }
});
const { simulator } = stack;
const { completed, eventFor, archive, item, stored, downloads, sha256Of } = archiveHelpers(stack);
const newPackage = packageIds(60_000);

describe('archive: each tenant’s packages', () => {
  it('stores a tenant’s documents under its own prefix, apart from the default tenant’s package of the same id', async () => {
    const packageId = newPackage();
    simulator.setDocuments(packageId, [{ documentId: 7, bytes: 4_000 }]);
    simulator.enterprise('acme').setDocuments(packageId, [{ documentId: 7, bytes: 6_000 }]);
    await completed(packageId);
    await completed(packageId, 'acme');

    expect(await archive(eventFor(packageId, 'acme'))).toEqual({ batchItemFailures: [] });
    expect(downloads(packageId, 'acme')).toEqual([7]);
    expect(downloads(packageId)).toEqual([]);
    expect(await stored(packageId, 7, 'acme')).toMatchObject({
      bytes: 6_000,
      sha256: await sha256Of(packageId, 7, 6_000, 'acme'),
    });
    expect(await stored(packageId, 7)).toBeUndefined();
    expect(await item(packageId, 'acme')).toMatchObject({
      archiveStatus: 'ARCHIVED',
      documents: [expect.objectContaining({ key: `acme/${packageId}/7.pdf`, bytes: 6_000 })],
    });
    expect((await item(packageId))?.archiveStatus).toBeUndefined();

    await archive(eventFor(packageId));
    expect(await stored(packageId, 7)).toMatchObject({
      bytes: 4_000,
      sha256: await sha256Of(packageId, 7, 4_000),
    });
  });

  it('hands back the request of a tenant without settings, archiving and failing nothing', async () => {
    const packageId = newPackage();
    await completed(packageId, 'nobody');
    const message = eventFor(packageId, 'nobody');
    expect(await archive(message)).toEqual({
      batchItemFailures: [{ itemIdentifier: message.messageId }],
    });
    expect((await item(packageId, 'nobody'))?.archiveStatus).toBeUndefined();
  });
});
