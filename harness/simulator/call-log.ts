import type { IncomingMessage } from 'node:http';
import type { SimulatorCall, SimulatorDownload, SimulatorOperation } from './types.ts';

/** Every request made to the SigningHub API, as `calls` shows it; control requests stay out. */
export interface CallLog {
  readonly calls: SimulatorCall[];
  /** A call as it arrives; it joins `calls` when `end` records its answer. */
  begin(
    req: IncomingMessage,
    path: string,
    route: { operation: SimulatorOperation; packageId?: number; documentId?: number },
  ): SimulatorCall;
  end(call: SimulatorCall, status: SimulatorCall['status']): void;
  count(operation: SimulatorOperation, packageId?: number): number;
  /** The document calls answered 200, in order. */
  downloads(): SimulatorDownload[];
  clear(): void;
}

export function createCallLog(enterprise: string, log: (line: string) => void): CallLog {
  const calls: SimulatorCall[] = [];
  return {
    calls,
    begin(req, path, route) {
      return {
        enterprise,
        operation: route.operation,
        method: req.method ?? '',
        path,
        ...(route.packageId === undefined ? {} : { packageId: route.packageId }),
        ...(route.documentId === undefined ? {} : { documentId: route.documentId }),
        status: 0,
        headers: recordedHeaders(req),
        bodyLength: 0,
        at: Date.now(),
      };
    },
    end(call, status) {
      call.status = status;
      calls.push(call);
      log(`${call.method} ${call.path} -> ${status}`);
    },
    count(operation, packageId) {
      return calls.filter(
        (call) =>
          call.operation === operation && (packageId === undefined || call.packageId === packageId),
      ).length;
    },
    downloads() {
      return calls.flatMap(({ enterprise, packageId, documentId, tokenScope, download, at }) =>
        download && packageId !== undefined && documentId !== undefined
          ? [{ enterprise, packageId, documentId, scope: tokenScope ?? '', ...download, at }]
          : [],
      );
    },
    clear() {
      calls.length = 0;
    },
  };
}

/** The request headers with lower-case names; only the scheme of `authorization` is kept. */
function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const scheme = authorization.trim().split(/\s+/)[0] ?? '';
    headers.authorization = scheme === '' ? '<redacted>' : `${scheme} <redacted>`;
  }
  return headers;
}
