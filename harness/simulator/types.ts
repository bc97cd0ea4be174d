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

export interface SimulatorOptions {
  /** 0 (the default) picks a free port; the host is always 127.0.0.1. */
  port?: number;
  credentials?: SimulatorCredentials;
  /** `expires_in` of issued tokens, 86399 by default. */
  tokenTtlSeconds?: number;
  /** Authenticate answers 403 with an `x-otp` header: the account cannot serve a machine. */
  otpRequired?: boolean;
  /** True by default: an unknown package id acts as a package with no listed signers. */
  autoCreatePackages?: boolean;
  callback?: CallbackConfig;
  /** Never receives tokens, passwords or callback paths. */
  log?: (line: string) => void;
}

export type ScriptedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true }
  | { drop: true }
  /** The status line and headers, then part of the body, then the connection is cut. */
  | { status: number; cutBody: true };

export type ScriptableOperation = 'finish' | 'workflow';

export type SimulatorOperation = 'authenticate' | 'finish' | 'workflow' | 'other';

export interface SimulatorCall {
  operation: SimulatorOperation;
  method: string;
  path: string;
  packageId?: number;
  /** The scope asked for by an authenticate call ('' when none). */
  scope?: string;
  /** The scope the bearer token was issued for ('' when unscoped); absent without a valid token. */
  tokenScope?: string;
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

export interface SimulatedPackage {
  packageId: number;
  signers: SimulatedSigner[];
  workflowStatus: string;
  /** Finish requests answered 200 by normal behaviour (scripted answers excluded). */
  finishes: number;
}

export interface SigningHubSimulator {
  /** Like http://127.0.0.1:PORT, without a trailing slash. */
  readonly url: string;
  readonly calls: readonly SimulatorCall[];
  readonly callbacksSent: readonly CallbackSent[];
  readonly packages: readonly SimulatedPackage[];
  close(): Promise<void>;
  createPackage(packageId: number, signers: string[]): SimulatedPackage;
  deletePackage(packageId: number): void;
  setWorkflowStatus(packageId: number, status: string): void;
  getPackage(packageId: number): SimulatedPackage | undefined;
  script(packageId: number, operation: ScriptableOperation, ...responses: ScriptedResponse[]): void;
  scriptAuthenticate(...responses: ScriptedResponse[]): void;
  revokeTokens(): void;
  setOtpRequired(required: boolean): void;
  setCallback(callback: CallbackConfig | undefined): void;
  count(operation: SimulatorOperation, packageId?: number): number;
  /** Resolves once every callback started so far has been answered or has failed. */
  callbacksSettled(): Promise<void>;
  reset(): void;
}
