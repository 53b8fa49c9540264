// Apps written for Azure type-check against the real packages' .d.ts (durable-functions 3.x, @azure/functions 4.x,
// devDependencies for this test): our fixture apps (test/app/typecheck-apps), and every TypeScript app in the docs that
// does not say it is Taskhub-only, so the docs never show an Azure app that Azure's own types reject.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { realPackage, ROOT, tsBlocks, typeCheck } from '../typescript-check.js';

const APPS = fileURLToPath(new URL('./typecheck-apps/', import.meta.url));
/** The first line of a docs code block that shows a Taskhub-only API; such a block is not compiled against Azure's. */
const TASKHUB_ONLY = /^\/\/ Taskhub-only\b/;

const durableFunctions = realPackage('durable-functions');
const azureFunctions = realPackage('@azure/functions');
const scratch = mkdtempSync(path.join(tmpdir(), 'taskhub-typecheck-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Compiles the sources (file name → text) as one strict program against the real packages; the diagnostics. */
function azureTypeCheck(sources: Record<string, string>): string[] {
  // The names resolve to the real packages wherever the sources are (the repository maps them to Taskhub's own).
  const paths = { 'durable-functions': [durableFunctions!.types], '@azure/functions': [azureFunctions!.types] };
  return typeCheck(mkdtempSync(path.join(scratch, 'app-')), sources, paths).map(
    (d) => `${path.basename(d.file)}: ${d.message}`,
  );
}

function docFiles(): string[] {
  return readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(ROOT, 'docs', f));
}

/** Docs blocks that are Azure apps: they import durable-functions or @azure/functions and are not marked Taskhub-only. */
function azureDocBlocks(): { where: string; code: string }[] {
  return [path.join(ROOT, 'README.md'), ...docFiles()].flatMap((file) =>
    tsBlocks(file)
      .filter((b) => !TASKHUB_ONLY.test(b.code) && /from '(durable-functions|@azure\/functions)'/.test(b.code))
      .map((b) => ({ where: `${path.relative(ROOT, file)}:${b.line}`, code: b.code })),
  );
}

const installed = durableFunctions !== undefined && azureFunctions !== undefined;
describe.skipIf(!installed)(
  installed
    ? `type-checks against durable-functions ${durableFunctions?.version} and @azure/functions ${azureFunctions?.version}`
    : 'type-checks against the real packages (skipped: not installed; npm install, or set TASKHUB_REFERENCE_MODULES)',
  () => {
    it('fixture apps written for Azure compile without an error', () => {
      const sources = Object.fromEntries(
        readdirSync(APPS)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => [f, readFileSync(path.join(APPS, f), 'utf8').replace(/^\/\/ @ts-nocheck.*\n/m, '')]),
      );
      expect(Object.keys(sources).length).toBeGreaterThanOrEqual(2);
      // The pragma that keeps the repository's own tsc off these files must not switch this check off too.
      expect(Object.values(sources).filter((text) => text.includes('@ts-nocheck'))).toEqual([]);
      expect(azureTypeCheck(sources)).toEqual([]);
    }, 60_000);

    it('an app using an API durable-functions does not have fails to compile (the check can fail)', () => {
      const app = [
        "import * as df from 'durable-functions';",
        "df.app.orchestration('Transfer', function* (context) {",
        "  const from = new df.EntityId('Account', 'a');",
        '  const lock = yield context.df.lockEntities(from);',
        '  lock.release();',
        '});',
      ].join('\n');
      expect(azureTypeCheck({ 'wrong.ts': app }).join('\n')).toMatch(/Property 'lockEntities' does not exist/);
    }, 60_000);

    // A Durable Task SDK example (docs/grpc.md) is neither: it runs against Taskhub's gRPC endpoint, not as an app.
    it('every TypeScript block in the docs is an Azure app, a Taskhub API example or marked Taskhub-only', () => {
      const docs = [path.join(ROOT, 'README.md'), ...docFiles()];
      const unlabelled = docs.flatMap((file) =>
        tsBlocks(file)
          .filter(
            (b) =>
              !TASKHUB_ONLY.test(b.code) &&
              !/from '(durable-functions|@azure\/functions|taskhub[^']*|@microsoft\/durabletask-js)'/.test(b.code),
          )
          .map((b) => `${path.relative(ROOT, file)}:${b.line}`),
      );
      expect(unlabelled).toEqual([]);
    });

    it('every TypeScript app in the docs that is not marked Taskhub-only compiles', () => {
      const blocks = azureDocBlocks();
      expect(blocks.map((b) => b.where).length).toBeGreaterThanOrEqual(2);
      const errors = blocks.flatMap((b, i) =>
        azureTypeCheck({ [`block${i}.ts`]: b.code }).map((e) => `${b.where} ${e}`),
      );
      expect(errors).toEqual([]);
    }, 120_000);
  },
);
