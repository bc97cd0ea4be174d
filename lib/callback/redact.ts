const SENSITIVE_KEY = /token|secret|password|passwd|key|auth|signature/i;

/** The callback path without its secret, for logs. */
export const redactedCallbackPath = (path: string): string =>
  path.replace(/(\/signinghub\/callback\/)[^/?#]*/, '$1<redacted>');

/** The query as a string with sensitive values (SigningHub may send a `token`) replaced. */
export const redactedQuery = (query: Readonly<Record<string, string | undefined>>): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, SENSITIVE_KEY.test(key) ? '<redacted>' : value);
  }
  return params.toString();
};
