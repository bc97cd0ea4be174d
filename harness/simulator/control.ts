import type { Enterprise } from './enterprise.ts';
import { snapshot } from './packages.ts';
import type { EnterpriseControl, SigningHubSimulator } from './types.ts';

/** The base URLs of the listeners, without a trailing slash. */
interface Origins {
  http: string;
  https: string | undefined;
}

/**
 * The knobs and views a test or `npm start` drives the simulator with, in process: the default
 * enterprise's, whose `reset` and `callbacksSettled` act on every enterprise, and through
 * `enterprise(name)` each one's own.
 */
export function createControl(
  enterprises: readonly [Enterprise, ...Enterprise[]],
  origins: Origins,
  close: () => Promise<void>,
): SigningHubSimulator {
  const [main] = enterprises;
  const controls = new Map(
    enterprises.map((enterprise) => [
      enterprise.name,
      enterpriseControl(enterprise, origins, [enterprise]),
    ]),
  );
  return Object.assign(enterpriseControl(main, origins, enterprises), {
    enterprises: enterprises.map((enterprise) => enterprise.name),
    enterprise(name: string): EnterpriseControl {
      const control = controls.get(name);
      if (!control) throw new Error(`The simulator runs no enterprise named ${name}`);
      return control;
    },
    close,
  });
}

/** One enterprise's control; `reset` and `callbacksSettled` cover `every`. */
function enterpriseControl(
  enterprise: Enterprise,
  origins: Origins,
  every: readonly Enterprise[],
): EnterpriseControl {
  const { tokens, packages, scripts, documentScripts, callLog, callbacks, host, basePath } =
    enterprise;
  return {
    name: enterprise.name,
    url: `${origins.http}${basePath}`,
    httpsUrl: origins.https === undefined ? undefined : `${origins.https}${basePath}`,
    get calls() {
      return callLog.calls;
    },
    get callbacksSent() {
      return callbacks.sent;
    },
    get packages() {
      return packages.list();
    },
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
    scriptScope(...responses) {
      scripts.add('scope', undefined, responses);
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
    setDown(down) {
      host.down = down;
    },
    count(operation, packageId) {
      return callLog.count(operation, packageId);
    },
    get downloads() {
      return callLog.downloads();
    },
    getDocuments(packageId) {
      return packages.documentsOf(packageId);
    },
    setDocuments(packageId, documents) {
      packages.setDocuments(packageId, documents);
    },
    setPackageOwner(packageId, owner) {
      packages.setOwner(packageId, owner);
    },
    scriptDocument(packageId, documentId, ...responses) {
      documentScripts.add(packageId, documentId, responses);
    },
    async callbacksSettled() {
      await Promise.all(every.map((each) => each.callbacks.settled()));
    },
    reset() {
      for (const each of every) {
        each.packages.clear();
        each.tokens.reset();
        each.scripts.clear();
        each.documentScripts.clear();
        each.callLog.clear();
        each.callbacks.clearSent();
        each.host.down = false;
      }
    },
  };
}
