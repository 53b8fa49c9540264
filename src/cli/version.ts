// Taskhub's own version, read from its package.json so `--version` and scaffolds never drift from a release.
import { readFileSync } from 'node:fs';

// package.json sits two levels above this file both in src/cli/ and in dist/cli/.
export const TASKHUB_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
