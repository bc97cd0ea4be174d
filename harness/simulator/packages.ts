import type {
  DocumentSettings,
  PackageDocumentsView,
  SimulatedDocument,
  SimulatedPackage,
} from './types.ts';

/** The size of a document whose size was not set: 64 KiB. */
export const DEFAULT_DOCUMENT_BYTES = 64 * 1024;

/**
 * The one document a package has until a test sets its documents: id 1 (not the package's id, so
 * that a client mixing the two up is caught), named like the completion report's DocumentName.
 */
export const defaultDocument = (packageId: number): SimulatedDocument => ({
  documentId: 1,
  name: `package-${packageId}.pdf`,
  order: 1,
  bytes: DEFAULT_DOCUMENT_BYTES,
});

export interface PackageState {
  packageId: number;
  signers: { email: string; processStatus: string }[];
  workflowStatus: string;
  finishes: number;
  deleted: boolean;
  /** `package_owner`: null sends none. */
  owner: string | null;
  documents: SimulatedDocument[];
  uploadedOn: Date;
  modifiedOn: Date;
}

/** The simulated packages: their signers' process_status and the workflow_status. */
export interface PackageStore {
  /** A new package (replacing any with that id), IN_PROGRESS, every signer UN_PROCESSED. */
  create(packageId: number, signers: string[]): PackageState;
  /**
   * The package an API call is about, deleted or not; an unknown id becomes a package with no
   * listed signers when packages are created on first use, else undefined.
   */
  find(packageId: number): PackageState | undefined;
  /** A copy of a package that exists and is not deleted. */
  visible(packageId: number): SimulatedPackage | undefined;
  list(): SimulatedPackage[];
  delete(packageId: number): void;
  setWorkflowStatus(packageId: number, status: string): void;
  /** A package's owner and documents, when it exists and is not deleted. */
  documentsOf(packageId: number): PackageDocumentsView | undefined;
  setDocuments(packageId: number, documents: readonly DocumentSettings[]): void;
  setOwner(packageId: number, owner: string | null): void;
  clear(): void;
}

/**
 * The packages of an enterprise. A package's owner is `owner` (the enterprise's own user, the
 * package_owner its webhook callbacks name too) until set otherwise; its documents are
 * `defaultDocument`'s one until set.
 */
export function createPackageStore(autoCreatePackages: boolean, owner: string): PackageStore {
  const packages = new Map<number, PackageState>();

  const create = (packageId: number, signers: string[]): PackageState => {
    const now = new Date();
    const state: PackageState = {
      packageId,
      signers: signers.map((email) => ({ email, processStatus: 'UN_PROCESSED' })),
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
      deleted: false,
      owner,
      documents: [defaultDocument(packageId)],
      uploadedOn: now,
      modifiedOn: now,
    };
    packages.set(packageId, state);
    return state;
  };
  const existing = (packageId: number) => packages.get(packageId) ?? create(packageId, []);

  return {
    create,
    find(packageId) {
      return packages.get(packageId) ?? (autoCreatePackages ? create(packageId, []) : undefined);
    },
    visible(packageId) {
      const state = packages.get(packageId);
      return state && !state.deleted ? snapshot(state) : undefined;
    },
    list() {
      return [...packages.values()].filter((state) => !state.deleted).map(snapshot);
    },
    delete(packageId) {
      existing(packageId).deleted = true;
    },
    setWorkflowStatus(packageId, status) {
      const state = existing(packageId);
      state.workflowStatus = status;
      state.modifiedOn = new Date();
    },
    documentsOf(packageId) {
      const state = packages.get(packageId);
      if (!state || state.deleted) return undefined;
      return {
        packageId,
        owner: state.owner,
        documents: state.documents.map((document) => ({ ...document })),
      };
    },
    setDocuments(packageId, documents) {
      existing(packageId).documents = documents.map((document, index) => ({
        documentId: document.documentId,
        name: document.name ?? `document-${document.documentId}.pdf`,
        order: document.order ?? index + 1,
        bytes: document.bytes ?? DEFAULT_DOCUMENT_BYTES,
      }));
    },
    setOwner(packageId, next) {
      existing(packageId).owner = next;
    },
    clear() {
      packages.clear();
    },
  };
}

export function snapshot(state: PackageState): SimulatedPackage {
  return {
    packageId: state.packageId,
    signers: state.signers.map((signer) => ({ ...signer })),
    workflowStatus: state.workflowStatus,
    finishes: state.finishes,
  };
}

/** A package id in a path: 1 to 15 digits, above 0. */
export function parsePackageId(text: string): number | undefined {
  if (!/^[0-9]{1,15}$/.test(text)) return undefined;
  const packageId = Number(text);
  return packageId > 0 ? packageId : undefined;
}
