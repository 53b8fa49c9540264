// A TypeScript file run as a real child process (through tsx), for tests that SIGKILL it and start it again.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ScriptProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout, once it has exited. */
  readonly output: Promise<string>;
  exited(): boolean;
}

export function runScript(path: string, args: readonly string[]): ScriptProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let exited = false;
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = new Promise<string>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve(text);
    }),
  );
  return { child, output, exited: () => exited };
}
