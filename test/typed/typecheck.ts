// Compiles the typed-call fixtures as an app would: strict, NodeNext, with `taskhub` resolving to the typed layer's
// source and `durable-functions` / `@azure/functions` to the real packages' .d.ts (or to Taskhub's own modules).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A real package's .d.ts entry, found as typecheck-real-packages.test.ts finds it; undefined when not installed. */
export function realTypes(name: string): string | undefined {
  for (const dir of [ROOT, process.env.TASKHUB_REFERENCE_MODULES].filter((d): d is string => !!d)) {
    try {
      const manifest = createRequire(path.join(dir, 'package.json')).resolve(`${name}/package.json`);
      const { types } = JSON.parse(readFileSync(manifest, 'utf8')) as { types: string };
      return path.join(path.dirname(manifest), types);
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

export type TypeWorld = 'real packages' | 'taskhub';

export interface Diagnostic {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly code: number;
  readonly message: string;
}

/** Compiles the fixture files (copied into `dir`, each text passed through `edit`) and returns every diagnostic. */
export function compileFixtures(
  dir: string,
  world: TypeWorld,
  edit: (file: string, text: string) => string,
): Diagnostic[] {
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  const files = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => {
      const target = path.join(dir, f);
      writeFileSync(target, edit(f, readFileSync(path.join(FIXTURES, f), 'utf8')));
      return target;
    });
  const paths: Record<string, string[]> =
    world === 'real packages'
      ? {
          taskhub: [path.join(ROOT, 'src/typed/index.ts')],
          'durable-functions': [realTypes('durable-functions')!],
          '@azure/functions': [realTypes('@azure/functions')!],
        }
      : {
          taskhub: [path.join(ROOT, 'src/index.ts')],
          'durable-functions': [path.join(ROOT, 'src/app/durable-functions.ts')],
          '@azure/functions': [path.join(ROOT, 'src/app/azure-functions.ts')],
        };
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    paths,
  };
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return {
      file: d.file ? path.relative(dir, d.file.fileName) : '',
      line: where ? where.line + 1 : 0,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    };
  });
}

/** Lines `// @ts-expect-error TSnnnn …` of a fixture: the line each applies to (the next one, 1-based) and the code. */
export function expectedErrors(text: string): { line: number; code: number }[] {
  return text.split('\n').flatMap((line, i) => {
    const match = /^\s*\/\/ @ts-expect-error TS(\d+)\b/.exec(line);
    return match ? [{ line: i + 2, code: Number(match[1]) }] : [];
  });
}

export function scratchDir(parent: string): string {
  return mkdtempSync(path.join(parent, 'typed-'));
}

export { copyFileSync };
