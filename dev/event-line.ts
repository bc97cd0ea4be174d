import type { PublishedEvent } from '../ops/stack-state.ts';

/** An event on the local bus, as the npm start terminal shows it: who sent it, and what it says. */
export const describeEvent = (event: PublishedEvent): string => {
  const detail = event.detail as {
    packageId?: unknown;
    status?: unknown;
    tenant?: unknown;
    documents?: unknown;
    error?: { message?: unknown };
    force?: unknown;
  } | null;
  const tenant = typeof detail?.tenant === 'string' ? ` of tenant ${detail.tenant}` : '';
  const what = Array.isArray(detail?.documents)
    ? `${detail.documents.length} document(s) archived`
    : detail?.error !== undefined
      ? String(detail.error.message)
      : String(detail?.status ?? (detail?.force === true ? 'requested, --force' : 'requested'));
  const label = event.detailType.startsWith('SigningPackageArchive') ? 'archive' : 'publish';
  return `[${label}] ${event.detailType} (package ${String(detail?.packageId)}${tenant}, ${what}) → bus ${event.busName}`;
};
