// docs/versioning.md's TypeScript: the side-by-side example compiles against Taskhub's own `df`, and the same code
// written against Azure's durable-functions types is refused for the reason the page gives (no `version` there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, docsSources, realTypes } from '../typed/typecheck.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'taskhub-versioning-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const blocks = docsSources('docs/versioning.md');
const order = blocks['order.ts'];

describe("docs/versioning.md's TypeScript", () => {
  it("the side-by-side block compiles against Taskhub's types", () => {
    expect(order).toContain("import { df, type OrchestrationContext, type OrchestrationGenerator } from 'taskhub';");
    expect(compile(mkdtempSync(path.join(scratch, 'taskhub-')), 'taskhub', { 'order.ts': order! })).toEqual([]);
  }, 60_000);

  const installed = realTypes('durable-functions') !== undefined && realTypes('@azure/functions') !== undefined;
  it.skipIf(!installed)(
    "with durable-functions' df, Azure's types refuse `version`, as the page says",
    () => {
      const azure = order!
        .replace(
          "import { df, type OrchestrationContext, type OrchestrationGenerator } from 'taskhub';",
          "import * as df from 'durable-functions';\nimport type { OrchestrationContext } from 'durable-functions';",
        )
        .replaceAll(': OrchestrationGenerator<string>', '');
      const errors = compile(mkdtempSync(path.join(scratch, 'azure-')), 'real packages', { 'order.ts': azure });
      expect(errors.map((e) => e.message).join('\n')).toContain(
        "'version' does not exist in type 'OrchestrationOptions'",
      );
    },
    60_000,
  );
});
