import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { type Assembly, discard } from './assembly.ts';
import { type ReceivedBody, receiveBody } from './request-body.ts';
import { S3Error } from './s3-error.ts';

/** S3's smallest part, but for the last one. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** One part as S3 acknowledged it. */
export interface PartRecord {
  readonly size: number;
  /** Quoted, as S3 sends an ETag. */
  readonly etag: string;
  /** The flexible checksums the part came with (x-amz-checksum-…), echoed in the answer. */
  readonly checksums: Readonly<Record<string, string>>;
}

/** A part CompleteMultipartUpload names. */
export interface ListedPart {
  readonly partNumber: number;
  readonly etag: string;
}

/** The object a completed upload made. */
export interface CompletedObject {
  readonly etag: string;
  readonly partSizes: readonly number[];
}

const invalidPart = (message: string) => new S3Error(400, 'InvalidPart', message);
const unquoted = (etag: string) => etag.replace(/^"|"$/g, '');

const recordOf = (received: ReceivedBody): PartRecord => ({
  size: received.bytes,
  etag: `"${received.etag}"`,
  checksums: received.checksums,
});

/**
 * A multipart upload whose parts go into one Assembly as they come, in order, never a part held
 * whole: the part that comes next streams straight in; a later one waits (its body unread, so the
 * client's socket holds it) while an earlier one is on its way in, or else waits on disk in
 * `spoolDir` until its turn. So the SDK's Upload, which sends parts 1, 2, 3… a few at a time, is
 * hashed as it streams. Parts are taken as 1, 2, 3…: a Complete that leaves out a part already put
 * in, or a part put in again with other bytes, is refused (InvalidPart), a limit of the stand-in.
 */
export class MultipartUpload {
  readonly id = randomUUID();
  readonly initiated = new Date();
  readonly #assembly: Assembly;
  readonly #spoolDir: string;
  #next = 1;
  readonly #parts = new Map<number, PartRecord>();
  readonly #spooled = new Map<number, string>();
  /** Parts on their way in: streaming into the assembly, or onto disk. */
  readonly #busy = new Set<number>();
  #waiters: (() => void)[] = [];
  #aborted = false;

  constructor(assembly: Assembly, spoolDir: string) {
    this.#assembly = assembly;
    this.#spoolDir = join(spoolDir, this.id);
  }

  get assembly(): Assembly {
    return this.#assembly;
  }

  /** UploadPart: the part's body, taken in as soon as its turn allows. */
  async uploadPart(partNumber: number, req: IncomingMessage): Promise<PartRecord> {
    for (;;) {
      if (this.#aborted) throw noSuchUpload();
      if (partNumber < this.#next) return this.#again(partNumber, req);
      const earlier = [...this.#busy].some((busy) => busy <= partNumber);
      if (partNumber === this.#next && !earlier) return this.#stream(partNumber, req);
      if (!earlier) return this.#spool(partNumber, req);
      await this.#changed();
    }
  }

  /** CompleteMultipartUpload: the listed parts, in order, make the object. */
  async complete(listed: readonly ListedPart[]): Promise<CompletedObject> {
    while (this.#busy.size > 0) await this.#changed();
    if (this.#aborted) throw noSuchUpload();
    if (listed.length === 0) throw new S3Error(400, 'MalformedXML', 'No parts are listed.');
    listed.forEach((part, index) => {
      const record = this.#parts.get(part.partNumber);
      if (index > 0 && part.partNumber <= (listed[index - 1]?.partNumber ?? 0)) {
        throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
      }
      if (!record || unquoted(record.etag) !== unquoted(part.etag)) {
        throw invalidPart(`Part ${part.partNumber} was not uploaded, or its ETag differs.`);
      }
      if (index < listed.length - 1 && record.size < MIN_PART_BYTES) {
        throw new S3Error(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed object size.',
        );
      }
    });
    const folded = this.#next - 1;
    const prefix = listed.slice(0, folded);
    if (prefix.length < folded || prefix.some((part, index) => part.partNumber !== index + 1)) {
      throw invalidPart(
        `The stand-in took parts 1 to ${folded} in already; a Complete must list them all, first.`,
      );
    }
    // Done: a part sent from now on finds no upload, as in S3.
    this.#aborted = true;
    for (const part of listed.slice(folded)) {
      const path = this.#spooled.get(part.partNumber);
      if (path === undefined) throw invalidPart(`Part ${part.partNumber} is not held.`);
      await this.#assembly.appendFile(path);
    }
    await this.discardParts();
    // S3's multipart ETag: the MD5 of the parts' ETags (as bytes), then the number of parts.
    const md5s = listed.map((part) => Buffer.from(unquoted(part.etag), 'hex'));
    return {
      etag: `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${listed.length}"`,
      partSizes: listed.map((part) => this.#parts.get(part.partNumber)?.size ?? 0),
    };
  }

  /** AbortMultipartUpload: parts on their way in finish; then nothing of the upload is kept. */
  async abort(): Promise<void> {
    this.#aborted = true;
    this.#wake();
    while (this.#busy.size > 0) await this.#changed();
    await this.discardParts();
    if (this.#assembly.file !== undefined) await rm(this.#assembly.file, { force: true });
  }

  /** Removes the parts waiting on disk. */
  async discardParts(): Promise<void> {
    this.#spooled.clear();
    await rm(this.#spoolDir, { recursive: true, force: true });
  }

  /** The part whose turn it is: straight into the object, then the spooled ones that follow. */
  async #stream(partNumber: number, req: IncomingMessage): Promise<PartRecord> {
    const record = await this.#holding(partNumber, async () => {
      const taken = recordOf(await this.#assembly.append(req));
      this.#parts.set(partNumber, taken);
      this.#next = partNumber + 1;
      return taken;
    });
    await this.#foldSpooled();
    return record;
  }

  /** A part that came before its turn, onto disk until then. */
  async #spool(partNumber: number, req: IncomingMessage): Promise<PartRecord> {
    const record = await this.#holding(partNumber, async () => {
      await mkdir(this.#spoolDir, { recursive: true });
      const path = join(this.#spoolDir, `${partNumber}-${randomUUID()}`);
      try {
        const taken = recordOf(
          await receiveBody(req, createWriteStream(path), { md5: this.#assembly.keepsBytes }),
        );
        const before = this.#spooled.get(partNumber);
        if (before !== undefined) await rm(before, { force: true });
        this.#spooled.set(partNumber, path);
        this.#parts.set(partNumber, taken);
        return taken;
      } catch (error) {
        await rm(path, { force: true });
        throw error;
      }
    });
    await this.#foldSpooled();
    return record;
  }

  /** A part already in the object, sent again (a retry): the same bytes are the same part. */
  async #again(partNumber: number, req: IncomingMessage): Promise<PartRecord> {
    const received = await receiveBody(req, discard(), { md5: this.#assembly.keepsBytes });
    const record = this.#parts.get(partNumber);
    if (record?.etag !== `"${received.etag}"`) {
      throw invalidPart(
        `Part ${partNumber} is in the object already; the stand-in takes no other bytes for it.`,
      );
    }
    return record;
  }

  /** Spooled parts whose turn came, from disk into the object. */
  async #foldSpooled(): Promise<void> {
    for (;;) {
      const partNumber = this.#next;
      const path = this.#spooled.get(partNumber);
      if (path === undefined || this.#busy.has(partNumber) || this.#aborted) return;
      await this.#holding(partNumber, async () => {
        await this.#assembly.appendFile(path);
        this.#spooled.delete(partNumber);
        this.#next = partNumber + 1;
        await rm(path, { force: true });
      });
    }
  }

  async #holding<T>(partNumber: number, run: () => Promise<T>): Promise<T> {
    this.#busy.add(partNumber);
    try {
      return await run();
    } finally {
      this.#busy.delete(partNumber);
      this.#wake();
    }
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiting) resolve();
  }
}

export const noSuchUpload = () =>
  new S3Error(
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  );
