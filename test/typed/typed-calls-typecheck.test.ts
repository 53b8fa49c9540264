// The typed calls are checked by the compiler: the fixture app's calls compile, and each wrong call in errors.ts
// (a wrong name, a wrong input, a misused result) fails with the error its `@ts-expect-error TSnnnn` line names,
// against durable-functions' and @azure/functions' own .d.ts (as a user's app is compiled) and against Taskhub's.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, docsSources, expectedErrors, FIXTURES, fixtureSources, realTypes } from './typecheck.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'taskhub-typed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const unchanged = (_file: string, text: string): string => text;
/** Drops the directives (keeping line numbers), so the errors they expected show. */
const withoutDirectives = (_file: string, text: string): string =>
  text.replace(/^(\s*)\/\/ @ts-expect-error\b.*$/gm, '$1//');

const installed = realTypes('durable-functions') !== undefined && realTypes('@azure/functions') !== undefined;

describe.skipIf(!installed)('typed calls against the real durable-functions and @azure/functions types', () => {
  it('the app compiles and every @ts-expect-error is used', () => {
    expect(compile(mkdtempSync(path.join(scratch, 'real-')), 'real packages', fixtureSources(unchanged))).toEqual([]);
  }, 60_000);

  it('each wrong call fails with the error its directive names, and nothing else fails', () => {
    const expected = expectedErrors(readFileSync(path.join(FIXTURES, 'errors.ts'), 'utf8'));
    expect(expected.length).toBeGreaterThanOrEqual(20);
    const diagnostics = compile(
      mkdtempSync(path.join(scratch, 'strip-')),
      'real packages',
      fixtureSources(withoutDirectives),
    );
    const found = [...new Set(diagnostics.map((d) => `${d.file}:${d.line} TS${d.code}`))].sort();
    expect(found).toEqual(expected.map((e) => `errors.ts:${e.line} TS${e.code}`).sort());
  }, 60_000);

  it("docs/typed-calls.md's apps compile (the blocks that import durable-functions)", () => {
    const apps = Object.entries(docsSources('docs/typed-calls.md')).filter(([, code]) =>
      code.includes("from 'durable-functions'"),
    );
    // The async block registers through Taskhub's df and types: it compiles in Taskhub's world (below).
    expect(apps.length).toBeGreaterThanOrEqual(2);
    const sources = { ...Object.fromEntries(apps), 'contract.ts': docsSources('docs/typed-calls.md')['contract.ts']! };
    expect(compile(mkdtempSync(path.join(scratch, 'docs-')), 'real packages', sources)).toEqual([]);
  }, 60_000);
});

describe("typed calls against Taskhub's own types", () => {
  it('the app compiles and every @ts-expect-error is used; so does every block of docs/typed-calls.md', () => {
    const docs = Object.fromEntries(
      Object.entries(docsSources('docs/typed-calls.md')).map(([name, code]) => [`docs-${name}`, code]),
    );
    // The async example registers its typed orchestrator with Taskhub's df.app.orchestration.
    expect(docs['docs-async-sum.ts']).toContain("df.app.orchestration('SumToAsync', sumToAsync);");
    // The docs blocks import './contract.js': the docs' own contract, beside the fixtures' one.
    const sources = { ...fixtureSources(unchanged), ...docs };
    for (const name of Object.keys(docs))
      sources[name] = sources[name]!.replaceAll("'./contract.js'", "'./docs-contract.js'");
    expect(compile(mkdtempSync(path.join(scratch, 'taskhub-')), 'taskhub', sources)).toEqual([]);
  }, 120_000);
});
