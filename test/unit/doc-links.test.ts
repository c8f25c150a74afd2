import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../local/paths';

/** Every Markdown document of the repository (not dependencies, not generated output). */
function documents(dir = repoRoot): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (['node_modules', '.git', 'cdk.out', '.playhead', 'dist'].includes(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return documents(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

/** Relative link targets of a document: `[text](target)`, without URLs and in-page anchors. */
function relativeLinks(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURIComponent(target.split('#')[0] as string));
}

describe('documents cite only files in the repository', () => {
  const docs = documents();

  it('finds the documents', () => {
    expect(docs.map((file) => path.relative(repoRoot, file))).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md', 'docs/recipes.md']));
  });

  it('every relative link names a file or folder that exists', () => {
    const broken = docs.flatMap((file) =>
      relativeLinks(readFileSync(file, 'utf8'))
        .filter((target) => !existsSync(path.resolve(path.dirname(file), target)))
        .map((target) => `${path.relative(repoRoot, file)} → ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('no document or bench module mentions a Markdown file the repository does not have', () => {
    const names = new Set(docs.map((file) => path.basename(file)));
    const benchModules = readdirSync(path.join(repoRoot, 'bin', 'bench')).map((name) => path.join(repoRoot, 'bin', 'bench', name));
    const missing = [...docs, ...benchModules].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\b([A-Za-z][\w-]*\.md)\b/g)]
        .map((m) => m[1] as string)
        .filter((name) => !names.has(name))
        .map((name) => `${path.relative(repoRoot, file)} mentions ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('the check sees a broken link', () => {
    expect(relativeLinks('see [the map](docs/NOWHERE.md#top) and [a site](https://example.org/x.md)')).toEqual(['docs/NOWHERE.md']);
  });
});
