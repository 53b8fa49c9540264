// Compiles the typed-call fixtures as an app would: strict, NodeNext, with `taskhub` resolving to the typed layer's
// source and `durable-functions` / `@azure/functions` to the real packages' .d.ts (or to Taskhub's own modules).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  const sources: Record<string, string> = {};
  let current: { line: number; lines: string[] } | undefined;
  readFileSync(path.join(ROOT, page), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (current && text.startsWith('```')) {
        const name = /^\/\/ Taskhub-only: (\S+\.ts)/.exec(current.lines[0] ?? '')?.[1] ?? `block${current.line}.ts`;
        sources[name] = current.lines.join('\n');
        current = undefined;
      } else if (current) current.lines.push(text);
      else if (/^```(ts|typescript)\s*$/.test(text)) current = { line: i + 2, lines: [] };
    });
  return sources;
}

/** Compiles the sources (file name → text) as one program in `dir`; every diagnostic. */
export function compile(dir: string, world: TypeWorld, sources: Record<string, string>): Diagnostic[] {
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  const files = Object.entries(sources).map(([name, text]) => {
    const target = path.join(dir, name);
    writeFileSync(target, text);
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
          'taskhub/testing': [path.join(ROOT, 'src/testing/index.ts')],
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
