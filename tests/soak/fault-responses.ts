import type { ScriptedResponse } from '../../harness/simulator/types.ts';
import type { Random } from './random.ts';
import type { FinalFault, TransientFault, WorkflowFault } from './workload.ts';

/** What the simulator answers for each fault the workload draws, and how often each is drawn. */
export const TRANSIENT: readonly [TransientFault, number][] = [
  ['500', 0.2],
  ['503', 0.25],
  ['429', 0.15],
  ['429-long', 0.05],
  ['hang', 0.12],
  ['late', 0.08],
  ['drop', 0.15],
];

export const weighted = <T>(random: Random, choices: readonly [T, number][]): T => {
  let roll = random.next() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [choice, weight] of choices) {
    roll -= weight;
    if (roll < 0) return choice;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error('no choices');
  return last[0];
};

export const transientResponse = (fault: Exclude<TransientFault, 'late'>): ScriptedResponse => {
  switch (fault) {
    case '500':
      return {
        status: 500,
        body: { Message: 'An internal server error occurred while processing the request' },
      };
    case '503':
      return { status: 503, body: 'Service Unavailable' };
    case '429':
      return { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Slow down' } };
    case '429-long':
      // Longer than the function waits inside an invocation: handed back to the queue.
      return { status: 429, headers: { 'retry-after': '30' }, body: { message: 'Slow down' } };
    case 'hang':
      return { hang: true };
    case 'drop':
      return { drop: true };
  }
};

export const finalResponse = (fault: FinalFault): ScriptedResponse =>
  fault === '403'
    ? {
        status: 403,
        body: { Message: 'You cannot access this document after the access period ends' },
      }
    : { status: 404, body: { Message: 'Document not found' } };

export const workflowResponse = (fault: WorkflowFault): ScriptedResponse =>
  fault === 'hang'
    ? { hang: true }
    : fault === 'drop'
      ? { drop: true }
      : { status: Number(fault), body: { Message: 'Service Unavailable' } };
