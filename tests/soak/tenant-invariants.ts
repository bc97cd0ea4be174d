import type { SimulatorCall } from '../../harness/simulator/types.ts';
import type { PlainItem } from '../support/table-items.ts';
import { type InvariantRow, row } from './invariant-row.ts';
import type { SoakEvidence } from './invariants.ts';
import { UNKNOWN_SCOPE } from './signinghub-observer.ts';
import { DEFAULT_TENANT, parsePackageRef, refOfPartition } from './tenant-mix.ts';

type TenantEvidence = Pick<SoakEvidence, 'workload' | 'calls' | 'items' | 'misdirected'> & {
  readonly finishKeyOfCall: (call: SimulatorCall) => string;
};

const text = (item: PlainItem, name: string): string | undefined => {
  const value = item[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Every request a tenant's host received was that tenant's: its grant, its signers' finishes of
 * its packages, its client certificate and no other's, no token another host issued.
 */
const nothingMisdirected = (evidence: TenantEvidence): InvariantRow => {
  const { workload } = evidence;
  const grants = new Map(workload.tenants.map(({ name, grant }) => [name, grant]));
  const certified = new Set(
    workload.tenants.filter(({ clientCertificate }) => clientCertificate).map(({ name }) => name),
  );
  const packages = new Set(workload.packages.map(({ ref }) => ref));
  const problems = [...evidence.misdirected];
  const perHost = new Map<string, number>();
  for (const call of evidence.calls) {
    const host = call.enterprise;
    perHost.set(host, (perHost.get(host) ?? 0) + 1);
    if (!grants.has(host)) problems.push(`a call to ${host}, which is no tenant of the run`);
    if (call.clientCertificate !== undefined && call.clientCertificate !== host) {
      problems.push(`${host}'s host was shown ${call.clientCertificate}'s client certificate`);
    }
    if (certified.has(host) && call.clientCertificate !== host) {
      problems.push(`${host}'s host got ${call.operation} without its client certificate`);
    }
    // A host that is down refuses before it reads the grant.
    const grant = call.grantType;
    if (call.operation === 'authenticate' && grant !== undefined && grant !== grants.get(host)) {
      problems.push(`${host}'s host was asked for a ${grant} grant`);
    }
    if (call.operation === 'finish') {
      const key = evidence.finishKeyOfCall(call);
      if (!key.endsWith(`|${UNKNOWN_SCOPE}`) && !workload.keys.has(key)) {
        problems.push(`${host}'s host got a finish for ${key}, no finish of that tenant`);
      }
    }
    if (call.operation === 'workflow' && !packages.has(`${host}/${call.packageId}`)) {
      problems.push(`${host}'s host was asked about package ${call.packageId}, not its own`);
    }
  }
  return row(
    'nothing sent to another tenant’s host',
    `${evidence.calls.length} requests: ` +
      [...perHost].map(([host, count]) => `${host} ${count}`).join(', '),
    problems,
  );
};

/**
 * Each item is under its own tenant's keys and says so: a tenant's package and finish items
 * under `TENANT#<tenant>#PACKAGE#<id>` with that `tenant` (the default tenant's under
 * `PACKAGE#<id>` with none), in their tenant's partition of the open packages' index, finish
 * items only for that tenant's signers, and only the run's tenants in the registry.
 */
const itemsUnderOwnKeys = (evidence: TenantEvidence): InvariantRow => {
  const { workload } = evidence;
  const packages = new Set(workload.packages.map(({ ref }) => ref));
  const tenants = new Set(workload.tenants.map(({ name }) => name));
  const problems: string[] = [];
  const perTenant = new Map<string, number>();
  for (const item of evidence.items) {
    const pk = text(item, 'pk');
    const sk = text(item, 'sk') ?? '';
    if (pk === 'TENANTS') {
      const tenant = sk.replace(/^TENANT#/, '');
      if (tenant === DEFAULT_TENANT || !tenants.has(tenant)) {
        problems.push(`the registry names ${tenant}`);
      }
      continue;
    }
    const ref = refOfPartition(pk);
    if (ref === undefined) continue;
    const { tenant, packageId } = parsePackageRef(ref);
    perTenant.set(tenant, (perTenant.get(tenant) ?? 0) + 1);
    const named = text(item, 'tenant');
    if (tenant === DEFAULT_TENANT ? named !== undefined : named !== tenant) {
      problems.push(`${pk} ${sk} says tenant ${named ?? '<none>'}`);
    }
    if (typeof item.packageId === 'number' && item.packageId !== packageId) {
      problems.push(`${pk} ${sk} says package ${String(item.packageId)}`);
    }
    const open = text(item, 'openStatus');
    const ownOpen = tenant === DEFAULT_TENANT ? 'IN_PROGRESS' : `IN_PROGRESS#${tenant}`;
    if (open !== undefined && open !== ownOpen) {
      problems.push(`${pk} is open in the index under ${open}`);
    }
    if (sk === 'PACKAGE' && !packages.has(ref)) problems.push(`${pk}: no package of ${tenant}`);
    if (sk.startsWith('FINISH#') && !workload.keys.has(`${ref}|${sk.slice('FINISH#'.length)}`)) {
      problems.push(`${pk} ${sk}: no finish of ${tenant}`);
    }
  }
  return row(
    'no item of one tenant under another’s key',
    `${evidence.items.length} items; package and finish items per tenant: ` +
      workload.tenants.map(({ name }) => `${name} ${perTenant.get(name) ?? 0}`).join(', '),
    problems,
  );
};

export const tenantInvariants = (evidence: TenantEvidence): InvariantRow[] => [
  nothingMisdirected(evidence),
  itemsUnderOwnKeys(evidence),
];
