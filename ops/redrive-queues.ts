import { parseArchiveMessage } from '../lib/archive/archive-request.ts';
import { parseSigningEvent } from '../lib/finish/signing-event.ts';
import { DEFAULT_TENANT } from '../lib/tenants/tenant-id.ts';
import type { QueueName } from './target.ts';

/** What a moved message's body says, for its line and the JSON answer. */
export interface MessageAbout {
  /** The package it is of, when the body is one of the queue's messages. */
  readonly packageId: number | undefined;
  /** A signing event's signer (undefined: the account itself). */
  readonly signerEmail?: string | undefined;
  /** An archive request's tenant. */
  readonly tenant?: string;
}

/** What a redrive says of the queue it serves, and of the messages it moves. */
export interface RedriveQueue {
  readonly name: QueueName;
  /** Who takes a message moved twice as one. */
  readonly consumer: string;
  /** The command that runs this redrive again. */
  readonly again: string;
  about(body: string): MessageAbout;
  /** A moved message's part of its line: `package 4242, alice@example.com`. */
  describe(about: MessageAbout): string;
}

const SIGNING_EVENTS: RedriveQueue = {
  name: 'signing-events',
  consumer: 'finish',
  again: 'npm run redrive',
  about: (body) => {
    const parsed = parseSigningEvent(body);
    return {
      packageId: parsed.ok ? parsed.event.packageId : undefined,
      signerEmail: parsed.ok ? parsed.event.signerEmail : undefined,
    };
  },
  describe: ({ packageId, signerEmail }) =>
    packageId === undefined
      ? 'not a signing event'
      : `package ${packageId}, ${signerEmail ?? 'the account itself'}`,
};

const ARCHIVE: RedriveQueue = {
  name: 'archive',
  consumer: 'the archive function',
  again: 'npm run redrive -- --queue archive',
  about: (body) => {
    const parsed = parseArchiveMessage(body);
    return parsed.ok
      ? { packageId: parsed.request.packageId, tenant: parsed.request.tenant }
      : { packageId: undefined };
  },
  describe: ({ packageId, tenant }) =>
    packageId === undefined
      ? 'not an archive request'
      : `archive of package ${packageId}${tenant === undefined || tenant === DEFAULT_TENANT ? '' : ` of tenant ${tenant}`}`,
};

/** The queues a redrive serves, by the name `--queue` takes. */
export const REDRIVE_QUEUES: Readonly<Record<QueueName, RedriveQueue>> = {
  'signing-events': SIGNING_EVENTS,
  archive: ARCHIVE,
};

/** The queue `--queue` names; undefined for a name it does not know. */
export const redriveQueueOf = (name: string): RedriveQueue | undefined =>
  Object.values(REDRIVE_QUEUES).find((queue) => queue.name === name);
