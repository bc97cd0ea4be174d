import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

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

/**
 * The source files in the folders the direction speaks of, read from the file system (not git,
 * so the check runs in a copy such as Stryker's sandbox too).
 */
export const repositorySources = (): SourceFile[] =>
  Object.keys(MAY_IMPORT).flatMap((folder) =>
    readdirSync(join(REPO, folder), { recursive: true, encoding: 'utf8' })
      .filter((name) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(name))
      .map((name) => {
        const path = `${folder}${name.replaceAll('\\', '/')}`;
        return { path, text: readFileSync(join(REPO, path), 'utf8') };
      }),
  );
