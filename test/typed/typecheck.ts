// Compiles the typed-call fixtures as an app would: strict, NodeNext, with `taskhub` resolving to the typed layer's
// source and `durable-functions` / `@azure/functions` to the real packages' .d.ts (or to Taskhub's own modules).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { realPackage, ROOT, tsBlocks, typeCheck, type Diagnostic } from '../typescript-check.js';

export { ROOT, type Diagnostic };
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A real package's .d.ts entry (see realPackage); undefined when not installed. */
export function realTypes(name: string): string | undefined {
  return realPackage(name)?.types;
}

export type TypeWorld = 'real packages' | 'taskhub';

/** The fixture files (file name → text), each text passed through `edit`. */
export function fixtureSources(edit: (file: string, text: string) => string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f, edit(f, readFileSync(path.join(FIXTURES, f), 'utf8'))]),
  );
}

/**
 * The ```ts blocks of a docs page, by file name: a block whose first line is `// Taskhub-only: name.ts` is that file
 * (blocks import each other by those names); any other is `block<line>.ts`.
 */
export function docsSources(page: string): Record<string, string> {
  return Object.fromEntries(
    tsBlocks(path.join(ROOT, page)).map(({ line, code }) => [
      /^\/\/ Taskhub-only: (\S+\.ts)/.exec(code.split('\n')[0] ?? '')?.[1] ?? `block${line}.ts`,
      code,
    ]),
  );
}

/** Compiles the sources (file name → text) as one program in `dir`; every diagnostic. */
export function compile(dir: string, world: TypeWorld, sources: Record<string, string>): Diagnostic[] {
  return typeCheck(
    dir,
    sources,
    world === 'real packages'
      ? {
          taskhub: [path.join(ROOT, 'src/typed/index.ts')],
          'durable-functions': [realTypes('durable-functions')!],
          '@azure/functions': [realTypes('@azure/functions')!],
        }
      : {
          taskhub: [path.join(ROOT, 'src/index.ts')],
          'taskhub/testing': [path.join(ROOT, 'src/testing/index.ts')],
          'durable-functions': [path.join(ROOT, 'src/app/durable-functions.ts')],
          '@azure/functions': [path.join(ROOT, 'src/app/azure-functions.ts')],
        },
  );
}

/** Lines `// @ts-expect-error TSnnnn …` of a fixture: the line each applies to (the next one, 1-based) and the code. */
export function expectedErrors(text: string): { line: number; code: number }[] {
  return text.split('\n').flatMap((line, i) => {
    const match = /^\s*\/\/ @ts-expect-error TS(\d+)\b/.exec(line);
    return match ? [{ line: i + 2, code: Number(match[1]) }] : [];
  });
}
