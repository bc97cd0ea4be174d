/** What a SigningHub call can be told, whichever call it is. */
export interface CallOptions {
  /** The signer's email: the account acts for this user. Absent: the account itself. */
  readonly scope?: string | undefined;
  /** Fires when the invocation's time for SigningHub is over. */
  readonly signal?: AbortSignal | undefined;
  /** Called each time a request actually leaves (a 401 retry sends two). */
  readonly onRequestSent?: (() => void) | undefined;
  /**
   * No request of this call leaves after this time (epoch ms, by the client's clock): checked as
   * each one is about to leave, so a late timer on a starved event loop cannot let one through.
   */
  readonly startBy?: number | undefined;
}

/** SigningHub's word on a package's workflow. */
export interface WorkflowDetails {
  readonly packageId: number;
  /** `workflow.workflow_status`: DRAFT, SHARED, IN_PROGRESS, COMPLETED, DECLINED, or another. */
  readonly workflowStatus: string;
}

/** Finish Processing: resolves on 200, throws a SigningHubError otherwise. */
export interface FinishPort {
  finishPackage(packageId: number, options: CallOptions): Promise<void>;
}

/** Workflow details as the account itself; undefined when the package is deleted (404). */
export interface WorkflowPort {
  getWorkflow(
    packageId: number,
    options: Pick<CallOptions, 'signal' | 'onRequestSent'>,
  ): Promise<WorkflowDetails | undefined>;
}

/** One document of a package, as the workflow details list it. */
export interface PackageDocument {
  /** `document_id`: the object key's last part. */
  readonly documentId: number;
  /** `document_name`, as SigningHub gives it. */
  readonly name: string;
  /** `document_order`. */
  readonly order: number;
}

/** What archiving a package needs from its workflow details. */
export interface PackageDocuments {
  readonly packageId: number;
  readonly workflowStatus: string;
  /** `package_owner` (an email); undefined when absent or empty: the account's own token then. */
  readonly owner: string | undefined;
  /** `documents[]`, in `document_order`. */
  readonly documents: readonly PackageDocument[];
}

/**
 * The signed documents of a package. Both calls throw SigningHubErrors as the other calls do
 * (final: 400, 403, 404 for a document; retryable: 429, 5xx, timeouts), after the one 401 retry
 * with a fresh token.
 */
export interface DocumentsPort {
  /** Workflow details as the account itself, with the documents; undefined when deleted (404). */
  getPackageDocuments(
    packageId: number,
    options: Pick<CallOptions, 'signal'>,
  ): Promise<PackageDocuments | undefined>;
  /**
   * `GET /{version}/packages/{id}/documents/{documentId}` with `Accept: application/octet-stream`,
   * as `scope` (the package's owner; absent: the account itself). Resolves once the 200's headers
   * are in, with its body as a stream that is never held whole; a stall of the body longer than
   * the client's timeout errors the stream with a RetryableSigningHubError.
   */
  downloadDocument(
    packageId: number,
    documentId: number,
    options: Pick<CallOptions, 'scope' | 'signal'>,
  ): Promise<ReadableStream<Uint8Array>>;
}
