// Where a TypeScript app's sources and compiler settings are, found from the app folder alone: never from the current
// directory, so `taskhub start <path>` loads the same app from anywhere.
import { existsSync } from 'node:fs';
import path from 'node:path';

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
