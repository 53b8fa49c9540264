// `taskhub new <dir>`: copy an app template (HTTP starter, orchestrator, activity) that `taskhub start` serves at once,
// with what its own `npm install && npm start` and `npm run build` need.
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TaskhubError } from '../core/errors.js';
import { print } from './output.js';
import { TASKHUB_VERSION } from './version.js';

// templates/ sits two levels above this file both in src/cli/ and in dist/cli/.
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

// Files every template gets. npm pack never ships a file named .gitignore, so it is stored without its dot.
const COMMON_FILES: Record<string, string> = {
  gitignore: '.gitignore',
  '.funcignore': '.funcignore',
  'local.settings.json': 'local.settings.json',
};

export interface NewOptions {
  js?: boolean;
  classic?: boolean;
  force?: boolean;
}

export function newCommand(dir: string, options: NewOptions): void {
  if (options.js && options.classic) {
    throw new TaskhubError(
      'INVALID_ARGUMENT',
      'Choose one template: --js (code-first JavaScript) or --classic (function.json layout, also JavaScript), not both.',
    );
  }
  const template = options.classic ? 'classic' : options.js ? 'js' : 'ts';
  const source = path.join(TEMPLATES, template);
  if (!existsSync(source)) throw new Error(`The template '${template}' is missing from ${TEMPLATES}.`);
  const target = path.resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !options.force) {
    throw new Error(`${target} is not empty; choose a new folder or pass --force.`);
  }
  cpSync(source, target, { recursive: true });
  for (const [from, to] of Object.entries(COMMON_FILES)) {
    copyFileSync(path.join(TEMPLATES, 'common', from), path.join(target, to));
  }
  addTaskhubDevDependency(path.join(target, 'package.json'));

  const shown = path.relative(process.cwd(), target) || '.';
  print(
    `Created a ${template === 'ts' ? 'TypeScript' : template === 'js' ? 'JavaScript' : 'classic'} app in ${shown}.`,
  );
  print();
  print(`  cd ${shown}`);
  print('  npm install');
  print('  npm start');
  print('  curl -X POST http://127.0.0.1:7071/api/orchestrators/HelloOrchestrator');
  print();
  print('Then open the statusQueryGetUri it returns. `npm test` runs test/, a unit test of the orchestrator with');
  print("Taskhub's test hub (taskhub/testing: virtual time, an in-memory store).");
}

/** `npm start` runs `taskhub start .`, so the app depends on this very version of Taskhub. */
function addTaskhubDevDependency(file: string): void {
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string> };
  const devDependencies = { ...pkg.devDependencies, taskhub: `^${TASKHUB_VERSION}` };
  pkg.devDependencies = Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}
