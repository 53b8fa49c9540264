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
  /** The app's dependency on Taskhub as npm writes it (`file:../taskhub-0.1.0.tgz`, a folder, a range). */
  taskhub?: string;
}

// This package's root: two levels above this file in src/cli/ and in dist/cli/.
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]+$/, '');

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
  const spec = options.taskhub ?? taskhubSpec();
  addTaskhubDevDependency(path.join(target, 'package.json'), spec);

  const shown = path.relative(process.cwd(), target) || '.';
  print(
    `Created a ${template === 'ts' ? 'TypeScript' : template === 'js' ? 'JavaScript' : 'classic'} app in ${shown}.`,
  );
  print(`Its package.json takes Taskhub from ${spec} (change it with --taskhub <spec>).`);
  print();
  print(`  cd ${shown}`);
  print('  npm install');
  print('  npm start');
  print('  curl -X POST http://127.0.0.1:7071/api/orchestrators/HelloOrchestrator');
  print();
  print('Then open the statusQueryGetUri it returns. `npm test` runs test/, a unit test of the orchestrator with');
  print("Taskhub's test hub (taskhub/testing: virtual time, an in-memory store).");
}

/**
 * Where the new app gets Taskhub from: the Taskhub running this command. From a checkout, that folder; from a project
 * that installed Taskhub (a tarball, a folder, a git URL), the same source its package.json names, made absolute;
 * else this version's range on the npm registry.
 */
function taskhubSpec(): string {
  const parts = PACKAGE_ROOT.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return `file:${PACKAGE_ROOT}`;
  const project = parts.slice(0, at).join(path.sep) || path.sep;
  try {
    const pkg = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const installed = pkg.devDependencies?.taskhub ?? pkg.dependencies?.taskhub;
    if (installed?.startsWith('file:')) return `file:${path.resolve(project, installed.slice('file:'.length))}`;
    if (installed !== undefined && !/^[\^~<>=\d]/.test(installed)) return installed;
  } catch {
    // No readable package.json above node_modules (a global install): the registry range.
  }
  return `^${TASKHUB_VERSION}`;
}

/** `npm start` runs `taskhub start .`, so the app depends on the Taskhub that created it. */
function addTaskhubDevDependency(file: string, spec: string): void {
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string> };
  const devDependencies = { ...pkg.devDependencies, taskhub: spec };
  pkg.devDependencies = Object.fromEntries(Object.entries(devDependencies).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}
