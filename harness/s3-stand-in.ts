import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { listObjectsV2 } from './s3/list-objects.ts';
import { MultipartUpload, noSuchUpload } from './s3/multipart.ts';
import { ObjectStore, type Storage, type StoredObject } from './s3/object-store.ts';
import {
  contentTypeOf,
  isSigned,
  listedParts,
  objectHeaders,
  parseRequest,
  type Request,
  type S3Operation,
  userMetadata,
} from './s3/requests.ts';
import { S3Error, sendError, sendXml, xmlFields } from './s3/s3-error.ts';
import { type Listener, listen } from './simulator/listeners.ts';
import { readBody } from './simulator/request-body.ts';

/*
 * S3 on 127.0.0.1 for `npm start`, the tests and the bench: path-style requests
 * (`http://127.0.0.1:PORT/<bucket>/<key>`, the SDK's `forcePathStyle`) to the buckets it is
 * started with, as much of S3 as the SDK's S3Client and lib-storage's Upload use to put an object:
 * PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, and
 * HeadObject, GetObject and ListObjectsV2 to look. Why not moto: moto is a Python install that
 * `npm start` must not need, and an archive's memory measured against moto would measure moto.
 *
 * Any SigV4-signed request is taken (nothing here is real; an unsigned one is AccessDenied); a
 * body streamed aws-chunked is decoded, and its length, x-amz-content-sha256, Content-MD5 and
 * checksums (CRC32, SHA-1, SHA-256) are checked as S3 checks them. No object or part is ever held
 * whole: bytes stream into a folder (`<folder>/<bucket>/<key>`, so a user can open the PDF) or
 * only through hashes (the counting stand-in: each object's size, SHA-256 and part sizes).
 */

export type { Storage, StoredObject } from './s3/object-store.ts';
export type { S3Operation } from './s3/requests.ts';

export interface S3StandInOptions {
  readonly buckets: readonly string[];
  /** `{ folder }` keeps the bytes there; `'count'` keeps only what they measure. */
  readonly storage: Storage;
  /** 0 (the default) picks a free port; the host is always 127.0.0.1. */
  readonly port?: number;
  /** One line per request: the operation, bucket/key and the answer. */
  readonly log?: (line: string) => void;
}

/** The next requests' answer, as S3 answers when it is busy or broken. */
export interface InjectedFailure {
  /** Only requests of this operation fail; any when absent. */
  readonly operation?: S3Operation;
  /** 503 SlowDown (throttling) or 500 InternalError (the default). */
  readonly code?: 'SlowDown' | 'InternalError';
}

export interface S3StandIn {
  /** http://127.0.0.1:PORT: AWS_ENDPOINT_URL_S3, with forcePathStyle. */
  readonly endpoint: string;
  /** The folder objects are kept in; undefined for the counting stand-in. */
  readonly folder: string | undefined;
  /** Every object held, by bucket then key. */
  objects(): StoredObject[];
  object(bucket: string, key: string): StoredObject | undefined;
  /** How many requests of each operation came, answered well or not. */
  requests(): Readonly<Partial<Record<S3Operation, number>>>;
  /** The next `count` requests (of an operation) fail, before their body is read. */
  failNext(count: number, failure?: InjectedFailure): void;
  close(): Promise<void>;
}

interface OpenUpload {
  readonly upload: MultipartUpload;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Starts the stand-in with its buckets; a folder's objects from an earlier run are there again. */
export const startS3StandIn = async (options: S3StandInOptions): Promise<S3StandIn> => {
  const store = await ObjectStore.open(options.storage, options.buckets);
  const uploads = new Map<string, OpenUpload>();
  const counts: Partial<Record<S3Operation, number>> = {};
  const failures: InjectedFailure[] = [];
  const log = options.log ?? (() => {});

  const uploadOf = (request: Request): OpenUpload => {
    const open = uploads.get(request.query.get('uploadId') ?? '');
    if (!open || open.bucket !== request.bucket || open.key !== request.key) throw noSuchUpload();
    return open;
  };

  const objectOf = (request: Request): StoredObject => {
    const object = store.get(request.bucket, request.key);
    if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    return object;
  };

  /** Runs the operation; answers and says what to log after the arrow. */
  const run = async (
    request: Request,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<string> => {
    const { bucket, key } = request;
    switch (request.operation) {
      case 'PutObject': {
        store.checkKey(key);
        const assembly = await store.startAssembly();
        const received = await assembly.append(req);
        const etag = `"${received.etag}"`;
        const contentType = contentTypeOf(req);
        await store.commit(assembly, {
          bucket,
          key,
          etag,
          contentType,
          metadata: userMetadata(req),
          partSizes: [received.bytes],
        });
        res.writeHead(200, { etag, 'content-length': 0, ...received.checksums }).end();
        return `200 (${received.bytes} bytes)`;
      }
      case 'CreateMultipartUpload': {
        store.checkKey(key);
        const upload = new MultipartUpload(await store.startAssembly(), store.workDir);
        uploads.set(upload.id, {
          upload,
          bucket,
          key,
          contentType: contentTypeOf(req),
          metadata: userMetadata(req),
        });
        sendXml(
          res,
          'InitiateMultipartUploadResult',
          xmlFields({ Bucket: bucket, Key: key, UploadId: upload.id }),
        );
        return '200';
      }
      case 'UploadPart': {
        const partNumber = Number(request.query.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
          throw new S3Error(
            400,
            'InvalidArgument',
            'Part number must be an integer between 1 and 10000, inclusive',
          );
        }
        const part = await uploadOf(request).upload.uploadPart(partNumber, req);
        res.writeHead(200, { etag: part.etag, 'content-length': 0, ...part.checksums }).end();
        return `200 (part ${partNumber}, ${part.size} bytes)`;
      }
      case 'CompleteMultipartUpload': {
        const { upload, ...object } = uploadOf(request);
        const done = await upload.complete(listedParts(await readBody(req, () => {})));
        uploads.delete(upload.id);
        const stored = await store.commit(upload.assembly, {
          ...object,
          etag: done.etag,
          partSizes: done.partSizes,
        });
        const location = `http://${req.headers.host}/${bucket}/${key}`;
        sendXml(
          res,
          'CompleteMultipartUploadResult',
          xmlFields({ Location: location, Bucket: bucket, Key: key, ETag: done.etag }),
        );
        return `200 (${stored.bytes} bytes in ${done.partSizes.length} parts)`;
      }
      case 'AbortMultipartUpload': {
        const open = uploadOf(request);
        uploads.delete(open.upload.id);
        await open.upload.abort();
        res.writeHead(204).end();
        return '204';
      }
      case 'HeadObject': {
        res.writeHead(200, objectHeaders(objectOf(request))).end();
        return '200';
      }
      case 'GetObject': {
        const object = objectOf(request);
        const bytes = store.read(object);
        res.writeHead(200, objectHeaders(object));
        await pipeline(bytes, res);
        return `200 (${object.bytes} bytes)`;
      }
      case 'ListObjectsV2': {
        sendXml(res, 'ListBucketResult', listObjectsV2(bucket, store.list(bucket), request.query));
        return '200';
      }
      default:
        throw new S3Error(501, 'NotImplemented', 'The S3 stand-in does not serve this request.');
    }
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const request = parseRequest(req);
    const { operation, bucket, key, query } = request;
    counts[operation] = (counts[operation] ?? 0) + 1;
    const what = `${operation} ${bucket}${key === '' ? '' : `/${key}`}`;
    try {
      if (!isSigned(req, query))
        throw new S3Error(403, 'AccessDenied', 'Access Denied (the request is not signed).');
      const failing = failures.findIndex(
        (f) => f.operation === undefined || f.operation === operation,
      );
      const failure = failing === -1 ? undefined : failures.splice(failing, 1)[0];
      if (failure?.code === 'SlowDown')
        throw new S3Error(503, 'SlowDown', 'Please reduce your request rate.');
      if (failure)
        throw new S3Error(
          500,
          'InternalError',
          'We encountered an internal error. Please try again.',
        );
      if (!store.hasBucket(bucket))
        throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
      log(`${what} → ${await run(request, req, res)}`);
    } catch (caught) {
      const error = caught instanceof S3Error ? caught : undefined;
      if (res.headersSent || res.destroyed || req.socket.destroyed) {
        res.destroy();
        log(`${what} → cut off (${error?.code ?? String(caught)})`);
        return;
      }
      const answer =
        error ??
        new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      sendError(res, answer, `/${bucket}/${key}`, req.method === 'HEAD', req.complete);
      log(`${what} → ${answer.status} ${answer.code}${error ? '' : ` (${String(caught)})`}`);
    }
  };

  const listener: Listener = await listen(
    createServer((req, res) => {
      serve(req, res).catch(() => res.destroy());
    }),
    options.port ?? 0,
  );
  return {
    endpoint: `http://127.0.0.1:${listener.port}`,
    folder: store.root,
    objects: () => store.all(),
    object: (bucket, key) => store.get(bucket, key),
    requests: () => ({ ...counts }),
    failNext: (count, failure = {}) => {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    close: async () => {
      await listener.close();
      await Promise.all(
        [...uploads.values()].map((open) => open.upload.abort().catch(() => undefined)),
      );
      await store.close();
    },
  };
};
