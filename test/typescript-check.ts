// Compiling apps in tests as a user's project compiles them: strict, NodeNext, ES modules, with the package names
// (durable-functions, @azure/functions, taskhub) mapped to the .d.ts or sources a test chooses. Shared by the
// real-packages check (test/app), the typed-call checks (test/typed) and the docs checks that build on them.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * A real package's .d.ts entry and version: from the repository root (CI installs the devDependencies), else from
 * TASKHUB_REFERENCE_MODULES's folder; undefined when neither has it.
 */
export function realPackage(name: string): { types: string; version: string } | undefined {
  for (const dir of [ROOT, process.env.TASKHUB_REFERENCE_MODULES].filter((d): d is string => !!d)) {
    try {
      const manifest = createRequire(path.join(dir, 'package.json')).resolve(`${name}/package.json`);
      const { types, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { types: string; version: string };
      return { types: path.join(path.dirname(manifest), types), version };
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

export interface Diagnostic {
  /** Relative to the folder compiled in ('' for a diagnostic of the whole program). */
  readonly file: string;
  /** 1-based line (0 without a file). */
  readonly line: number;
  readonly code: number;
  readonly message: string;
}

/**
 * Writes the sources (file name → text) and a `{"type":"module"}` package.json into `dir` and compiles them as one
 * program, each name in `paths` resolving to the files given (wherever the sources are); every diagnostic.
 */
export function typeCheck(dir: string, sources: Record<string, string>, paths: Record<string, string[]>): Diagnostic[] {
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  const files = Object.entries(sources).map(([name, text]) => {
    const target = path.join(dir, name);
    writeFileSync(target, text);
    return target;
  });
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

/** The ```ts (or ```typescript) blocks of a markdown file, each with the 1-based line its code starts on. */
export function tsBlocks(file: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  let current: { line: number; lines: string[] } | undefined;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (current && text.startsWith('```')) {
        blocks.push({ line: current.line, code: current.lines.join('\n') });
        current = undefined;
      } else if (current) current.lines.push(text);
      else if (/^```(ts|typescript)\s*$/.test(text)) current = { line: i + 2, lines: [] };
    });
  return blocks;
}
