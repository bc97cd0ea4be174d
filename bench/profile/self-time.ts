/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that self time needs. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  /** The node on top of the stack at each sample, and the µs since the sample before. */
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A stretch of the profile's clock (µs, monotonic) to count; outside them samples are ignored. */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/**
 * Where a frame's code comes from: a package (`@aws-sdk/client-dynamodb`, `ky`), a file of the
 * project (`lib/store/dynamodb-table.ts`), a part of Node (`node:http`), or V8's own work
 * (`(garbage collector)`, `(program)`, `(idle)`).
 */
export const moduleOf = (url: string, functionName: string): string => {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  // undici's HTTP parser (llhttp) is WebAssembly; Node's own http parser is native code.
  if (url.startsWith('wasm://')) return 'node:undici (fetch)';
  if (url.startsWith('node:')) {
    const path = url.slice('node:'.length).replace(/^internal\//, '');
    if (path.startsWith('deps/undici')) return 'node:undici (fetch)';
    const [first = path] = path.split('/');
    return `node:${first.replace(/\.js$/, '')}`;
  }
  const packagePath = url.split('/node_modules/').at(-1) ?? url;
  if (packagePath !== url) {
    const [scope = '', name = ''] = packagePath.split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  const project = /\/(lib|functions|bench|harness|tests)\/(.+)$/.exec(url);
  return project ? `${project[1]}/${project[2]}` : url;
};

/** The bench's own frames around a handler: building events, counting what it prints. */
const isHarness = (module: string): boolean =>
  /^(bench\/(warm-worker|events)\.ts|harness\/|tests\/support\/)/.test(module);

/**
 * Whether a module is code of the handler's (a package, or the project's), not Node's, V8's or
 * the bench harness's: the bench's write counter sits between a logger and stdout, and the
 * writing is the logger's.
 */
const isCode = (module: string): boolean =>
  !module.startsWith('node:') && !module.startsWith('(') && !isHarness(module);

/**
 * Time per module within the windows (all of the profile when none are given), in µs: each
 * sample's time goes to the module on top of the stack (`self`), or, with `charge: 'caller'`, to
 * the nearest frame below it that is a package's or the project's, so that the `node:crypto` the
 * SDK's signing calls counts as the SDK's. V8's own work (GC, `(program)`) stays its own.
 */
export const timeByModule = (
  profile: CpuProfile,
  windows?: readonly Window[],
  charge: 'self' | 'caller' = 'self',
): Map<string, number> => {
  const moduleOfNode = new Map(
    profile.nodes.map((node) => [
      node.id,
      moduleOf(node.callFrame.url, node.callFrame.functionName),
    ]),
  );
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const chargedModule = (id: number): string => {
    const own = moduleOfNode.get(id) ?? '(unknown)';
    if (charge === 'self' || isCode(own) || !parentOf.has(id)) return own;
    for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
      const module = moduleOfNode.get(at) ?? '';
      if (isCode(module)) return module;
    }
    return own;
  };
  const sorted = windows ? [...windows].sort((a, b) => a.from - b.from) : undefined;
  const inside = (at: number) =>
    !sorted || sorted.some((window) => at >= window.from && at <= window.to);
  const totals = new Map<string, number>();
  let at = profile.startTime;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    // A sample stands for the time since the one before it.
    if (!inside(at)) continue;
    const module = chargedModule(profile.samples[index] ?? -1);
    totals.set(module, (totals.get(module) ?? 0) + delta);
  }
  return totals;
};

/** What the issue asks the profile to tell apart, by module. */
export type Category =
  | 'logging'
  | 'metrics'
  | 'middy'
  | 'Powertools commons'
  | 'validation'
  | 'handler and domain (functions/, lib/)'
  | 'other packages'
  | 'the SigningHub client (ky, fetch)'
  | "the writes' expressions (stores)"
  | 'AWS SDK'
  | 'batch and idempotency (peer)'
  | 'the bench floor and peer code'
  | 'the bench harness (events, contexts, counting)'
  | 'Node core (http, streams, timers)'
  | 'garbage collector'
  | 'V8 and native'
  | 'idle';

export const categoryOf = (module: string): Category => {
  if (module === '(idle)') return 'idle';
  if (module === '(garbage collector)') return 'garbage collector';
  if (module.startsWith('(')) return 'V8 and native';
  if (module === '@aws-lambda-powertools/logger' || module === 'lib/logger.ts') return 'logging';
  if (module === '@aws-lambda-powertools/metrics' || module === 'lib/metrics.ts') return 'metrics';
  if (module.startsWith('@middy/')) return 'middy';
  if (module === '@aws-lambda-powertools/commons') return 'Powertools commons';
  if (/^@aws-lambda-powertools\/(batch|idempotency|jmespath)/.test(module)) {
    return 'batch and idempotency (peer)';
  }
  if (module === 'ky' || module === 'node:undici (fetch)' || module.startsWith('lib/signinghub/')) {
    return 'the SigningHub client (ky, fetch)';
  }
  if (module.startsWith('lib/store/')) return "the writes' expressions (stores)";
  if (
    /^@(aws-sdk|smithy|aws-crypto|aws)\//.test(module) ||
    module === 'tslib' ||
    module === 'bowser'
  ) {
    return 'AWS SDK';
  }
  if (isHarness(module)) return 'the bench harness (events, contexts, counting)';
  if (module.startsWith('bench/')) return 'the bench floor and peer code';
  if (module.startsWith('node:')) return 'Node core (http, streams, timers)';
  if (module === 'lib/finish/signing-event.ts' || module === 'lib/package-id.ts') {
    return 'validation';
  }
  if (/^(lib|functions)\//.test(module)) return 'handler and domain (functions/, lib/)';
  return 'other packages';
};

/** Sums module totals by category. */
export const byCategory = (totals: ReadonlyMap<string, number>): Map<Category, number> => {
  const categories = new Map<Category, number>();
  for (const [module, micros] of totals) {
    const category = categoryOf(module);
    categories.set(category, (categories.get(category) ?? 0) + micros);
  }
  return categories;
};
