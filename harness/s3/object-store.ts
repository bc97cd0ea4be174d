import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Assembly } from './assembly.ts';
import { S3Error } from './s3-error.ts';

/** An object as the stand-in holds it: its measures, whether or not its bytes are kept. */
export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly bytes: number;
  /** Lower-case hex over the object's bytes. */
  readonly sha256: string;
  /**
   * Quoted, as S3 sends it: an MD5, or a multipart upload's `<MD5 of the parts' ETags>-<parts>`
   * (the counting stand-in's are made of SHA-256 halves instead of MD5s: cheaper, as unique).
   */
  readonly etag: string;
  readonly contentType: string;
  /** User metadata (x-amz-meta-*), names in lower case, without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Each part's size, for a multipart upload; one entry, the whole, for a PutObject. */
  readonly partSizes: readonly number[];
  readonly lastModified: string;
}

/**
 * Where the bytes go: a folder (`<folder>/<bucket>/<key>`, so a user can open an object), or
 * nowhere: the counting stand-in keeps each object's measures only.
 */
export type Storage = { readonly folder: string } | 'count';

/** The stand-in's own files in a folder: metadata beside the objects, uploads under way. */
const OWN = '.s3-stand-in';

const notFolder = () =>
  new S3Error(501, 'NotImplemented', 'The counting stand-in keeps no bytes to send back.');

/** Objects by bucket and key, with their bytes in a folder or not at all. */
export class ObjectStore {
  readonly #buckets: ReadonlyMap<string, Map<string, StoredObject>>;
  readonly #root: string | undefined;
  /** Uploads under way, and a counting stand-in's spooled parts. */
  readonly #work: string;

  private constructor(buckets: readonly string[], root: string | undefined, work: string) {
    this.#buckets = new Map(buckets.map((bucket) => [bucket, new Map()]));
    this.#root = root;
    this.#work = work;
  }

  /** Opens the store; a folder's objects from an earlier run are found again. */
  static async open(storage: Storage, buckets: readonly string[]): Promise<ObjectStore> {
    const root = storage === 'count' ? undefined : storage.folder;
    const work =
      root === undefined
        ? await mkdtemp(join(tmpdir(), 's3-stand-in-'))
        : join(root, OWN, 'uploads');
    if (root !== undefined) await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const store = new ObjectStore(buckets, root, work);
    if (root !== undefined) {
      for (const bucket of buckets) await store.#index(root, bucket);
    }
    return store;
  }

  get root(): string | undefined {
    return this.#root;
  }

  get workDir(): string {
    return this.#work;
  }

  hasBucket(bucket: string): boolean {
    return this.#buckets.has(bucket);
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.#buckets.get(bucket)?.get(key);
  }

  /** A bucket's objects, by key as S3 orders them (UTF-8 bytes). */
  list(bucket: string): StoredObject[] {
    return [...(this.#buckets.get(bucket)?.values() ?? [])].sort((a, b) =>
      Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)),
    );
  }

  all(): StoredObject[] {
    return [...this.#buckets.keys()].flatMap((bucket) => this.list(bucket));
  }

  /** Refuses a key the folder could not hold as `<bucket>/<key>`. */
  checkKey(key: string): void {
    const segments = key.split('/');
    if (Buffer.byteLength(key) > 1024 || key.includes('\0')) {
      throw new S3Error(400, 'KeyTooLongError', 'Your key is too long.');
    }
    if (this.#root !== undefined && segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new S3Error(
        400,
        'InvalidArgument',
        'The folder stand-in takes keys whose every /-separated part is a file name.',
      );
    }
  }

  /** A new object's bytes: in a file of the work folder, or counted only. */
  startAssembly(): Promise<Assembly> {
    return Assembly.start(this.#root === undefined ? undefined : join(this.#work, randomUUID()));
  }

  /** Makes the assembled bytes the object (replacing one of the same key), metadata and all. */
  async commit(
    assembly: Assembly,
    object: Omit<StoredObject, 'bytes' | 'sha256' | 'lastModified'>,
  ): Promise<StoredObject> {
    const stored: StoredObject = {
      ...object,
      bytes: assembly.bytes,
      sha256: assembly.sha256(),
      lastModified: new Date().toISOString(),
    };
    if (this.#root !== undefined && assembly.file !== undefined) {
      const target = join(this.#root, object.bucket, object.key);
      const sidecar = this.#sidecar(object.bucket, object.key);
      await mkdir(dirname(target), { recursive: true });
      await mkdir(dirname(sidecar), { recursive: true });
      await writeFile(sidecar, JSON.stringify(stored));
      await rename(assembly.file, target);
    }
    this.#buckets.get(object.bucket)?.set(object.key, stored);
    return stored;
  }

  /** The object's bytes (a folder stand-in only). */
  read(object: StoredObject): Readable {
    if (this.#root === undefined) throw notFolder();
    return createReadStream(join(this.#root, object.bucket, object.key));
  }

  /** A counting stand-in removes its spool folder; a folder keeps its objects. */
  async close(): Promise<void> {
    await rm(this.#work, { recursive: true, force: true });
  }

  #sidecar(bucket: string, key: string): string {
    return join(this.#root ?? '', OWN, 'objects', bucket, `${key}.json`);
  }

  /** The bucket's objects already in the folder, with their metadata where the stand-in left it. */
  async #index(root: string, bucket: string): Promise<void> {
    const dir = join(root, bucket);
    await mkdir(dir, { recursive: true });
    const objects = this.#buckets.get(bucket);
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const key = relative(dir, path).split(sep).join('/');
      const known = await readFile(this.#sidecar(bucket, key), 'utf8').then(
        (text) => JSON.parse(text) as StoredObject,
        () => undefined,
      );
      const size = (await stat(path)).size;
      objects?.set(key, known?.bytes === size ? known : await measureFile(bucket, key, path));
    }
  }
}

/** An object put into the folder by hand: measured from its bytes. */
const measureFile = async (bucket: string, key: string, path: string): Promise<StoredObject> => {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      md5.update(chunk);
      sha256.update(chunk);
      bytes += chunk.length;
    }
  });
  const { mtime } = await stat(path);
  return {
    bucket,
    key,
    bytes,
    sha256: sha256.digest('hex'),
    etag: `"${md5.digest('hex')}"`,
    contentType: 'binary/octet-stream',
    metadata: {},
    partSizes: [bytes],
    lastModified: mtime.toISOString(),
  };
};
