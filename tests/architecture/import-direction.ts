import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The direction of imports, written once: what each folder may import besides itself. A folder
 * that is not named here (dev/, bench/, tests/) may import anything below the repository.
 */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'functions/': ['lib/'],
  'lib/': [],
  'ops/': ['lib/'],
  'harness/': ['lib/'],
  // The alarms and the dashboard read the metric names from the one catalogue.
  'infra/': ['lib/metrics-catalogue.ts'],
};

export interface SourceFile {
  /** Relative to the repository, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly imports: string;
}

/** Every relative module a file names: `import … from`, `export … from`, `import()`, `require()`. */
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

const folderOf = (path: string): string | undefined =>
  Object.keys(MAY_IMPORT).find((folder) => path.startsWith(folder));

/** The imports that break the direction, each as the file and the path it reaches. */
export const importViolations = (files: readonly SourceFile[]): Violation[] =>
  files.flatMap((file) => {
    const folder = folderOf(file.path);
    if (folder === undefined) return [];
    const allowed = [folder, ...(MAY_IMPORT[folder] ?? [])];
    return [...file.text.matchAll(SPECIFIER)].flatMap(([, specifier = '']) => {
      const target = normalize(join(dirname(file.path), specifier)).replaceAll('\\', '/');
      const ok = allowed.some((prefix) =>
        prefix.endsWith('/') ? target.startsWith(prefix) : target === prefix,
      );
      return ok ? [] : [{ file: file.path, imports: target }];
    });
  });

const REPO = normalize(join(dirname(new URL(import.meta.url).pathname), '..', '..'));

/** The repository's source files in the folders the direction speaks of, as git tracks them. */
export const repositorySources = (): SourceFile[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((path) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(path) && folderOf(path) !== undefined)
    .flatMap((path) => {
      try {
        return [
          { path: relative(REPO, join(REPO, path)), text: readFileSync(join(REPO, path), 'utf8') },
        ];
      } catch {
        // Deleted in the working tree but not yet in git: nothing to read.
        return [];
      }
    });
