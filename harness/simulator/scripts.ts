import type { ServerResponse } from 'node:http';
import { send } from './reply.ts';
import type {
  ScriptableOperation,
  ScriptedResponse,
  SimulatorCall,
  SimulatorOperation,
} from './types.ts';

export const SCRIPTABLE_OPERATIONS: readonly ScriptableOperation[] = ['finish', 'workflow'];

/** Answers queued by a test, played before normal behaviour, first in first out. */
export interface ScriptQueue {
  add(
    operation: SimulatorOperation,
    packageId: number | undefined,
    responses: ScriptedResponse[],
  ): void;
  /** The next scripted answer to authenticate or scope, or to a finish or workflow call of a package. */
  take(operation: SimulatorOperation, packageId: number | undefined): ScriptedResponse | undefined;
  /** How many answers are still queued for the operation (and package). */
  pending(operation: SimulatorOperation, packageId: number | undefined): number;
  /** Drops every answer queued for a package's calls; answers how many there were. */
  clearPackage(packageId: number): number;
  clear(): void;
}

export function createScriptQueue(): ScriptQueue {
  const scripts = new Map<string, ScriptedResponse[]>();
  const keyOf = (operation: SimulatorOperation, packageId: number | undefined) =>
    `${operation}#${packageId ?? ''}`;
  return {
    add(operation, packageId, responses) {
      const key = keyOf(operation, packageId);
      scripts.set(key, [...(scripts.get(key) ?? []), ...responses]);
    },
    take(operation, packageId) {
      if (operation === 'other') return undefined;
      const packageCall = operation === 'finish' || operation === 'workflow';
      if (packageCall && packageId === undefined) return undefined;
      return scripts.get(keyOf(operation, packageId))?.shift();
    },
    pending(operation, packageId) {
      return scripts.get(keyOf(operation, packageId))?.length ?? 0;
    },
    clearPackage(packageId) {
      let removed = 0;
      for (const operation of SCRIPTABLE_OPERATIONS) {
        const key = keyOf(operation, packageId);
        removed += scripts.get(key)?.length ?? 0;
        scripts.delete(key);
      }
      return removed;
    },
    clear() {
      scripts.clear();
    },
  };
}

/** How a scripted answer is recorded in `calls`. */
export function scriptedStatus(scripted: ScriptedResponse): SimulatorCall['status'] {
  if ('hang' in scripted) return 'hang';
  if ('drop' in scripted) return 'drop';
  return scripted.status;
}

/**
 * Plays a scripted answer: a hang never answers (the socket ends when the client gives up or the
 * simulator closes), a drop cuts the connection, a cut body sends the status line, the headers
 * and part of a JSON body, then cuts the connection.
 */
export function playScripted(res: ServerResponse, scripted: ScriptedResponse): void {
  if ('hang' in scripted) return;
  if ('drop' in scripted) {
    res.destroy();
    return;
  }
  if ('cutBody' in scripted) {
    res.writeHead(scripted.status, {
      'content-type': 'application/json',
      'content-length': '64',
    });
    res.write('{"Message":', () => res.destroy());
    return;
  }
  send(res, scripted);
}
