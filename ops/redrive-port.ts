/**
 * The two queues as a redrive uses them: what ops/redrive.ts asks of them, and ops/sqs-redrive.ts
 * answers through SQS (the tests through queues in memory).
 */
export interface RedrivePort<Attributes = unknown> {
  /** About how many messages the dead-letter queue holds: visible, and received by someone. */
  count(): Promise<{ readonly visible: number; readonly inFlight: number }>;
  /** SQS's own move (StartMessageMoveTask), or why it is not offered here. */
  startMoveTask(): Promise<MoveTaskStart>;
  /** The latest move task's state. */
  moveTaskProgress(): Promise<MoveTaskProgress>;
  /** Up to `max` (at most 10) messages; none once the queue is empty. */
  receive(max: number): Promise<DeadLetter<Attributes>[]>;
  /** Puts a copy on the queue; resolves with its new message id once SQS holds it. */
  send(message: DeadLetter<Attributes>): Promise<string>;
  /** Deletes it from the dead-letter queue. */
  delete(message: DeadLetter<Attributes>): Promise<void>;
  /** Makes it visible in the dead-letter queue again at once. */
  release(message: DeadLetter<Attributes>): Promise<void>;
}

/** One message received from the dead-letter queue, hidden from other readers for a while. */
export interface DeadLetter<Attributes = unknown> {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** Its message attributes (and trace header), sent on with it unchanged. */
  readonly attributes: Attributes;
}

/** SQS took the move on itself; or why it is not offered (the redrive then moves them itself). */
export type MoveTaskStart = 'started' | { readonly notOffered: string };

export interface MoveTaskProgress {
  readonly status: string;
  readonly moved: number;
  readonly failureReason: string | undefined;
}
