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
