// `taskhub new <dir>`: copy an app template (HTTP starter, orchestrator, activity) that `taskhub start` serves at once.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { print } from './output.js';

// templates/ sits two levels above this file both in src/cli/ and in dist/cli/.
const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

export function newCommand(dir: string, options: { js?: boolean; classic?: boolean; force?: boolean }): void {
  const template = options.classic ? 'classic' : options.js ? 'js' : 'ts';
  const source = path.join(TEMPLATES, template);
  if (!existsSync(source)) throw new Error(`The template '${template}' is missing from ${TEMPLATES}.`);
  const target = path.resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !options.force) {
    throw new Error(`${target} is not empty; choose a new folder or pass --force.`);
  }
  cpSync(source, target, { recursive: true });
  const shown = path.relative(process.cwd(), target) || '.';
  print(
    `Created a ${template === 'ts' ? 'TypeScript' : template === 'js' ? 'JavaScript' : 'classic'} app in ${shown}.`,
  );
  print();
  print(`  taskhub start ${shown}`);
  print('  curl -X POST http://127.0.0.1:7071/api/orchestrators/HelloOrchestrator');
  print();
  print('Then open the statusQueryGetUri it returns.');
}
