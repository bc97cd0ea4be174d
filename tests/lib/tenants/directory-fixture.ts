import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DocumentsPort, FinishPort, WorkflowPort } from '../../../lib/signinghub/ports.ts';
import {
  type OpenedTenant,
  TenantDirectory,
  type TenantDirectoryOptions,
} from '../../../lib/tenants/tenant-directory.ts';
import { type RecordedMetrics, recordMetrics } from '../../support/recorded-metrics.ts';
import { recordLog } from '../aws/secrets-fixture.ts';

export const PREFIX = 'signinghub-finish/test/tenants/';
/** Short of five minutes: the SDK takes a clock five minutes off moto's for a skew, and retries. */
export const MAX_AGE = 60;

/** Stands in for the default tenant's client: the directory only hands it on. */
export const DEFAULT_SIGNINGHUB: FinishPort & WorkflowPort & DocumentsPort = {
  finishPackage: () => Promise.reject(new Error('the default tenant is not under test')),
  getWorkflow: () => Promise.reject(new Error('the default tenant is not under test')),
  getPackageDocuments: () => Promise.reject(new Error('the default tenant is not under test')),
  downloadDocument: () => Promise.reject(new Error('the default tenant is not under test')),
};

/** A tenant's settings for the password grant at `baseUrl`, amended. */
export const settingsFor = (baseUrl: string, more: Record<string, unknown> = {}): string =>
  JSON.stringify({
    base_url: baseUrl,
    client_id: 'tenant-app',
    client_secret: 'tenant-client-secret',
    username: 'admin@tenant.example',
    password: 'tenant-password',
    ...more,
  });

/** A directory over `client`'s Secrets Manager, with a recording log and metrics. */
export const directoryOver = (
  client: () => SecretsManagerClient,
  options: Partial<TenantDirectoryOptions> = {},
) => {
  const log = recordLog();
  const metrics: RecordedMetrics = recordMetrics();
  const directory = new TenantDirectory({
    prefix: PREFIX,
    secretsManager: client,
    maxAgeSeconds: MAX_AGE,
    timeoutMs: 5_000,
    metrics,
    log,
    defaultTenant: { signingHub: DEFAULT_SIGNINGHUB },
    ...options,
  });
  return { directory, log, metrics };
};

/** The tenant opened, or the test fails with why not. */
export const opened = (tenant: OpenedTenant): Extract<OpenedTenant, { ok: true }> => {
  if (!tenant.ok)
    throw new Error(`${tenant.tenant} did not open: ${tenant.reason}: ${tenant.message}`);
  return tenant;
};
