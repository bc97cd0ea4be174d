import type { PackageState } from './packages.ts';
import type { CallbackConfig, CallbackSent } from './types.ts';

const CALLBACK_TIMEOUT_MS = 10_000;

/** SigningHub calling the configured callback once a package's workflow has completed. */
export interface Callbacks {
  /** The callback in force; undefined: none is called. */
  config: CallbackConfig | undefined;
  readonly sent: CallbackSent[];
  /** Calls the callback in force (if any) for a package its last signer has just finished. */
  packageCompleted(state: PackageState, lastSigner: string): void;
  /** Resolves once every callback started so far has been answered or has failed. */
  settled(): Promise<void>;
  /** Cancels the callbacks in flight and starts no more. */
  stop(): void;
  clearSent(): void;
}

export function createCallbacks(options: {
  config: CallbackConfig | undefined;
  log: (line: string) => void;
}): Callbacks {
  const { log } = options;
  const sent: CallbackSent[] = [];
  const pending = new Set<Promise<void>>();
  const stopped = new AbortController();

  const deliver = async (config: CallbackConfig, state: PackageState, email: string) => {
    const record: CallbackSent = { packageId: state.packageId, mode: config.mode, url: config.url };
    sent.push(record);
    const signal = AbortSignal.any([stopped.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]);
    // One request of the callback: its answer is drained and only its status kept.
    const call = async (url: string | URL, init: RequestInit): Promise<number> => {
      const response = await fetch(url, { ...init, signal, redirect: 'manual' });
      await response.arrayBuffer();
      return response.status;
    };
    try {
      if (config.mode === 'query') {
        const target = new URL(config.url);
        target.searchParams.set('document_id', String(state.packageId));
        target.searchParams.set('user_email', email);
        record.url = target.toString();
        record.status = await call(target, { method: 'GET' });
      } else if (config.mode === 'webhook') {
        record.status = await call(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(webhookBody(state)),
        });
      } else {
        const probe = await call(config.url, { method: 'HEAD' });
        if (probe < 200 || probe > 299) {
          record.status = probe;
          record.error = `HEAD probe answered ${probe}; the report was not posted`;
        } else {
          record.status = await call(config.url, {
            method: 'POST',
            headers: { 'content-type': 'application/xml' },
            body: completionReport(state.packageId),
          });
        }
      }
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    // The callback URL carries the receiver's secret, so only its origin is logged.
    log(
      `callback ${config.mode} for package ${state.packageId} to ${safeOrigin(config.url)}: ` +
        (record.error ?? String(record.status)),
    );
  };

  const callbacks: Callbacks = {
    config: options.config,
    sent,
    packageCompleted(state, lastSigner) {
      const config = callbacks.config;
      if (!config) return;
      // After the finish has been answered, as SigningHub calls back on its own time.
      const delivery = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => (stopped.signal.aborted ? undefined : deliver(config, state, lastSigner)))
        .finally(() => pending.delete(delivery));
      pending.add(delivery);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    stop() {
      stopped.abort();
    },
    clearSent() {
      sent.length = 0;
    },
  };
  return callbacks;
}

function webhookBody(state: PackageState) {
  return {
    package_id: state.packageId,
    package_name: `Package ${state.packageId}`,
    package_owner: state.owner ?? '',
    package_status: 'COMPLETED',
    uploaded_on: state.uploadedOn.toISOString(),
    modified_on: state.modifiedOn.toISOString(),
    document: [],
  };
}

/** A workflow completion report as SigningHub posts it, naming the package in <DocumentID>. */
export function completionReport(packageId: number): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<WorkflowCompletionReport>' +
    `<DocumentID>${packageId}</DocumentID>` +
    `<DocumentName>package-${packageId}.pdf</DocumentName>` +
    '</WorkflowCompletionReport>'
  );
}

/** The origin of a URL, for logs: its path may carry a secret. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<invalid url>';
  }
}
