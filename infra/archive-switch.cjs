// A local Serverless plugin. With `archiveDocuments: false` the stack has no archive function:
// infra/archive.cjs leaves out its resources, but a function cannot be left out by a variable
// (each entry of `functions` must resolve to a function, and YAML has no condition), so this
// removes it from the service before anything reads the list of functions. Listed first among
// the plugins, so that its `initialize` runs before serverless-esbuild's, which picks the
// functions to build there.

/**
 * The part of the framework's `serverless` object this plugin reads.
 * @typedef {{
 *   service: {
 *     custom: { archive?: { enabled?: unknown } },
 *     functions: Record<string, unknown>,
 *   },
 * }} Serverless
 */

class ArchiveSwitch {
  /** @param {Serverless} serverless */
  constructor(serverless) {
    this.hooks = {
      // Every variable is resolved by now (infra/archive.cjs has checked archiveDocuments).
      initialize: () => {
        const { custom, functions } = serverless.service;
        if (custom.archive?.enabled === false) delete functions.archive;
      },
    };
  }
}

module.exports = ArchiveSwitch;
