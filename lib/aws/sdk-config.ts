/**
 * What every SDK client a function makes shares: the middleware stack resolved once per command
 * class instead of at every request (the SDK's own `cacheMiddleware`; our functions never change
 * a client's middleware after it is made). CPU only, measured by `npm run bench` (BENCHMARKS.md).
 */
// Stryker disable next-line all: the same requests and answers either way; the bench measures it
export const FUNCTION_SDK_CONFIG = { cacheMiddleware: true } as const;
