import type { SimulatedPackage } from './types.ts';

export interface PackageState {
  packageId: number;
  signers: { email: string; processStatus: string }[];
  workflowStatus: string;
  finishes: number;
  deleted: boolean;
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
  clear(): void;
}

export function createPackageStore(autoCreatePackages: boolean): PackageStore {
  const packages = new Map<number, PackageState>();

  const create = (packageId: number, signers: string[]): PackageState => {
    const now = new Date();
    const state: PackageState = {
      packageId,
      signers: signers.map((email) => ({ email, processStatus: 'UN_PROCESSED' })),
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
      deleted: false,
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
