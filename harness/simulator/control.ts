import type { ApiParts } from './api-routes.ts';
import { snapshot } from './packages.ts';
import type { SigningHubSimulator } from './types.ts';

/** The knobs and views a test or `npm start` drives the simulator with, in process. */
export function createControl(
  parts: ApiParts & { url: string; close: () => Promise<void> },
): SigningHubSimulator {
  const { tokens, packages, scripts, callLog, callbacks } = parts;
  return {
    url: parts.url,
    get calls() {
      return callLog.calls;
    },
    get callbacksSent() {
      return callbacks.sent;
    },
    get packages() {
      return packages.list();
    },
    close: parts.close,
    createPackage(packageId, signers) {
      return snapshot(packages.create(packageId, signers));
    },
    deletePackage(packageId) {
      packages.delete(packageId);
    },
    setWorkflowStatus(packageId, status) {
      packages.setWorkflowStatus(packageId, status);
    },
    getPackage(packageId) {
      return packages.visible(packageId);
    },
    script(packageId, operation, ...responses) {
      scripts.add(operation, packageId, responses);
    },
    scriptAuthenticate(...responses) {
      scripts.add('authenticate', undefined, responses);
    },
    revokeTokens() {
      tokens.revokeAll();
    },
    setOtpRequired(required) {
      tokens.setOtpRequired(required);
    },
    setCallback(next) {
      callbacks.config = next;
    },
    count(operation, packageId) {
      return callLog.count(operation, packageId);
    },
    callbacksSettled() {
      return callbacks.settled();
    },
    reset() {
      packages.clear();
      tokens.revokeAll();
      scripts.clear();
      callLog.clear();
      callbacks.clearSent();
    },
  };
}
