import { UserError } from '../ops/user-error.ts';
import { type LocalPorts, type LocalSettings, portVariable } from './local-settings.ts';
import { isPortFree } from './ports.ts';

/** Checked before anything starts, so a taken port is named with the variable that moves it. */
export const ensurePortsFree = async (settings: LocalSettings): Promise<void> => {
  const keys: (keyof LocalPorts)[] = ['dynamoDb', 'eventBridge', 'http', 'lambda', 'secrets', 's3'];
  if (settings.signingHub.kind === 'simulator') keys.push('simulator');
  for (const key of keys) {
    const port = settings.ports[key];
    if (await isPortFree(port)) continue;
    const { name, role } = portVariable(key);
    throw new UserError(
      `port ${port} (${role}) is already in use: stop what uses it, or choose another with ` +
        `${name}=<port> npm start`,
    );
  }
};
