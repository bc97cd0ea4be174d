import type { GrantType } from '../../lib/signinghub/access.ts';

export interface SimulatorCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export type CallbackMode = 'query' | 'webhook' | 'report';

export interface CallbackConfig {
  url: string;
  mode: CallbackMode;
}

/** How an enterprise's host is down: every request cut off, or answered 503. */
export type DownMode = 'drop' | 'unavailable';

/** What one enterprise accepts and does; the top-level options are the default enterprise's. */
interface EnterpriseSettings {
  /** The grants POST /authenticate accepts: both by default. */
  grants?: readonly GrantType[];
  /**
   * Serve only requests that present a client certificate verified against `tls.clientCa` with
   * this common name (needs `tls`); every other request is answered 403.
   */
  clientCertificate?: { commonName: string };
  /** `expires_in` of issued tokens, 86399 by default (an enterprise takes the top-level one). */
  tokenTtlSeconds?: number;
  /** Authenticate answers 403 with an `x-otp` header: the account cannot serve a machine. */
  otpRequired?: boolean;
  /** True by default: an unknown package id acts as a package with no listed signers. */
  autoCreatePackages?: boolean;
  callback?: CallbackConfig;
}

export interface EnterpriseOptions extends EnterpriseSettings {
  credentials: SimulatorCredentials;
}

/** PEM text: the HTTPS listener's certificate and key, and the CA client certificates are verified against. */
export interface SimulatorTls {
  cert: string;
  key: string;
  clientCa: string;
}

export interface SimulatorOptions extends EnterpriseSettings {
  /** 0 (the default) picks a free port; the host is always 127.0.0.1. */
  port?: number;
  /** The HTTPS listener's port when `tls` is given; 0 (the default) picks a free one. */
  httpsPort?: number;
  credentials?: SimulatorCredentials;
  /**
   * More enterprises, each under /enterprises/<name> (a tenant id, not `default`), with its own
   * credentials, tokens, packages, scripts, calls and callback.
   */
  enterprises?: Record<string, EnterpriseOptions>;
  /** Also listen with HTTPS, asking every client for a certificate. */
  tls?: SimulatorTls;
  /** Never receives tokens, passwords or callback paths. */
  log?: (line: string) => void;
}

export type ScriptedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  | { drop: true }
  /** The status line and headers, then part of the body, then the connection is cut. */
  | { status: number; cutBody: true };

/**
 * A document's 200, whose body stops once `stallAfterBytes` are sent: for `stallMs`, then goes on
 * (without `stallMs`, until the client gives up); or is cut off once `cutAfterBytes` are sent.
 */
export type DocumentBodyFault =
  | { stallAfterBytes: number; stallMs?: number }
  | { cutAfterBytes: number };

/** What a document call can be scripted to do: an answer as for the other calls, or a body fault. */
export type DocumentScript = ScriptedResponse | DocumentBodyFault;

/** The operations `script` queues answers for (documents have `scriptDocument`). */
export type ScriptableOperation = 'finish' | 'workflow';

export type SimulatorOperation =
  | 'authenticate'
  | 'scope'
  | 'finish'
  | 'workflow'
  | 'document'
  | 'other';

/** How a document's body went: still under way, sent whole, cut off, or left by the client. */
export type DownloadEnd = 'sending' | 'complete' | 'cut' | 'abandoned';

/** A document call answered 200: its body's size, what was sent of it, and how that ended. */
export interface SimulatorDownload {
  enterprise: string;
  packageId: number;
  documentId: number;
  /** The user the call's token was issued for ('' for the account itself). */
  scope: string;
  bytes: number;
  bytesSent: number;
  end: DownloadEnd;
  at: number;
}

export interface SimulatorCall {
  /** The enterprise whose host was called (`default` at the root). */
  enterprise: string;
  operation: SimulatorOperation;
  method: string;
  path: string;
  packageId?: number;
  /** A document call's document id. */
  documentId?: number;
  /** A document call answered 200: its body's size, how much of it was sent, how it ended. */
  download?: { bytes: number; bytesSent: number; end: DownloadEnd };
  /** The grant_type of an authenticate call. */
  grantType?: string;
  /** The scope asked for by an authenticate call ('' when none) or a scope call's user_email. */
  scope?: string;
  /** The scope the bearer token was issued for ('' when unscoped); absent without a valid token. */
  tokenScope?: string;
  /** The common name of a client certificate the CA verified; absent without one. */
  clientCertificate?: string;
  status: number | 'hang' | 'drop';
  /** Lower-case names; the `authorization` value is redacted. */
  headers: Record<string, string>;
  bodyLength: number;
  at: number;
}

export interface CallbackSent {
  packageId: number;
  mode: CallbackMode;
  url: string;
  status?: number;
  error?: string;
}

export interface SimulatedSigner {
  email: string;
  processStatus: string;
}

/** One document of a simulated package, as the workflow details list it. */
export interface SimulatedDocument {
  documentId: number;
  name: string;
  order: number;
  /** The size of its body (document-bytes.ts makes the bytes). */
  bytes: number;
}

/** A document to set: its id, and what is left out takes its default. */
export interface DocumentSettings {
  documentId: number;
  /** Default: document-<id>.pdf. */
  name?: string;
  /** Default: its place in the list, from 1. */
  order?: number;
  /** Default: DEFAULT_DOCUMENT_BYTES. */
  bytes?: number;
}

/** What a package's documents look like: its owner (null: no package_owner) and documents. */
export interface PackageDocumentsView {
  packageId: number;
  owner: string | null;
  documents: SimulatedDocument[];
}

export interface SimulatedPackage {
  packageId: number;
  signers: SimulatedSigner[];
  workflowStatus: string;
  /** Finish requests answered 200 by normal behaviour (scripted answers excluded). */
  finishes: number;
}

/** One enterprise's host: what it holds and the knobs a test turns. */
export interface EnterpriseControl {
  /** `default` for the enterprise at the root. */
  readonly name: string;
  /** Its base URL, like http://127.0.0.1:PORT/enterprises/acme, without a trailing slash. */
  readonly url: string;
  /** The same over HTTPS; undefined without `tls`. */
  readonly httpsUrl: string | undefined;
  readonly calls: readonly SimulatorCall[];
  readonly callbacksSent: readonly CallbackSent[];
  readonly packages: readonly SimulatedPackage[];
  createPackage(packageId: number, signers: string[]): SimulatedPackage;
  deletePackage(packageId: number): void;
  setWorkflowStatus(packageId: number, status: string): void;
  getPackage(packageId: number): SimulatedPackage | undefined;
  script(packageId: number, operation: ScriptableOperation, ...responses: ScriptedResponse[]): void;
  scriptAuthenticate(...responses: ScriptedResponse[]): void;
  scriptScope(...responses: ScriptedResponse[]): void;
  revokeTokens(): void;
  setOtpRequired(required: boolean): void;
  setCallback(callback: CallbackConfig | undefined): void;
  /** Takes the host down (every request dropped or answered 503) or, with false, back up. */
  setDown(down: DownMode | false): void;
  count(operation: SimulatorOperation, packageId?: number): number;
  /** Every document call answered 200, in order: what each body sent, and how it ended. */
  readonly downloads: readonly SimulatorDownload[];
  /** A package's owner and documents; undefined for one that does not exist or is deleted. */
  getDocuments(packageId: number): PackageDocumentsView | undefined;
  /** Replaces a package's documents (creating the package when it does not exist). */
  setDocuments(packageId: number, documents: DocumentSettings[]): void;
  /** Sets `package_owner` ('' sends an empty one; null sends none). */
  setPackageOwner(packageId: number, owner: string | null): void;
  /**
   * Queues answers to a package's document calls: for one document, or (`documentId`
   * undefined) for whichever is asked for next; a document's own come first.
   */
  scriptDocument(
    packageId: number,
    documentId: number | undefined,
    ...scripts: DocumentScript[]
  ): void;
  /** Resolves once every callback started so far has been answered or has failed. */
  callbacksSettled(): Promise<void>;
  /**
   * Forgets packages, tokens, scripts, calls and callbacks sent, brings the host back up, and sets
   * the one-time password back to what the enterprise started with.
   */
  reset(): void;
}

/**
 * The default enterprise's control, but `reset` and `callbacksSettled` act on every enterprise;
 * `enterprise(name)` reaches one.
 */
export interface SigningHubSimulator extends EnterpriseControl {
  /** Every enterprise's name, `default` first. */
  readonly enterprises: readonly string[];
  /** Throws for a name that was not configured. */
  enterprise(name: string): EnterpriseControl;
  close(): Promise<void>;
}
