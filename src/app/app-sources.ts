// Where a TypeScript app's sources and compiler settings are, found from the app folder alone: never from the current
// directory, so `taskhub start <path>` loads the same app from anywhere.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Folders TypeScript builds usually write to; a tsconfig's own `outDir` is honoured too. */
const BUILD_FOLDERS = ['dist', 'build', 'out', 'lib'];

/**
 * The app's tsconfig.json: in the app folder, or in a folder above it up to the app's package.json (an entry file
 * given inside the project). `false` when the app has none: then TypeScript's defaults apply, not a tsconfig that
 * happens to sit in the current directory.
 */
export function findAppTsconfig(root: string): string | false {
  for (let dir = root; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'tsconfig.json');
    if (existsSync(file)) return file;
    if (existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir) return false;
  }
}

/**
 * The TypeScript source a build output came from, for an app run unbuilt: `<root>/dist/Fn/index.js` →
 * `<root>/Fn/index.ts`. Undefined when the file is not under a build folder or no source exists.
 */
export function sourceOfBuildOutput(root: string, built: string): string | undefined {
  const relative = path.relative(root, built);
  for (const folder of buildFolders(root)) {
    if (!relative.startsWith(folder + path.sep)) continue;
    const source = path.join(root, relative.slice(folder.length + 1)).replace(/\.(m|c)?js$/, '.$1ts');
    if (existsSync(source)) return source;
  }
  return undefined;
}

function buildFolders(root: string): string[] {
  const tsconfig = path.join(root, 'tsconfig.json');
  if (!existsSync(tsconfig)) return BUILD_FOLDERS;
  try {
    // tsconfig allows comments and trailing commas; a plain JSON parse that fails just means the defaults.
    const outDir = (JSON.parse(readFileSync(tsconfig, 'utf8')) as { compilerOptions?: { outDir?: unknown } })
      .compilerOptions?.outDir;
    if (typeof outDir === 'string') return [path.relative(root, path.resolve(root, outDir)), ...BUILD_FOLDERS];
  } catch {
    // Defaults below.
  }
  return BUILD_FOLDERS;
}
