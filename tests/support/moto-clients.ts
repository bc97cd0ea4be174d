import { startMotoServer } from '../../harness/moto-server.ts';
import type { Defer } from './deploy-tools.ts';
import { motoClientConfig } from './moto-deploy.ts';
import { type Configuration, packagedService } from './packaged-services.ts';

/** What every AWS SDK client has: a way to close its sockets. */
interface SdkClient {
  destroy(): void;
}

/**
 * A packaging and a moto of its own, with the SDK clients `makeClients` makes against it (from
 * motoClientConfig); what `defer` is given closes the clients and stops moto after the file's
 * tests.
 */
export const packagedWithMoto = async <Clients extends Record<string, SdkClient>>(
  defer: Defer,
  configuration: Configuration,
  makeClients: (config: ReturnType<typeof motoClientConfig>) => Clients,
) => {
  const service = await packagedService(configuration);
  const moto = await startMotoServer();
  defer(() => moto.stop());
  const aws = makeClients(motoClientConfig(moto, service.state.region));
  defer(async () => {
    for (const client of Object.values(aws)) client.destroy();
  });
  return { service, moto, aws };
};
