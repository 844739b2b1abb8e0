import { spawn, type ChildProcess } from 'node:child_process';

/** A Vigil node in a child process that a durability test kills with SIGKILL, then starts again on the same data. */
export interface KillableWorker {
  child: ChildProcess;
  /** The rest of the first line the worker printed starting with `prefix` and a space (waits for it). */
  line(prefix: string): Promise<string>;
  /** Resolves once the process has exited, however it ended (also when it already had). */
  exited: Promise<void>;
  /** SIGKILL, as a power cut would: nothing of the node's own shutdown runs. Resolves once the process is gone. */
  kill9(): Promise<void>;
}

/** Starts `script` (a TypeScript file, through tsx) with `args`; its stdout is read line by line, its stderr shown. */
export function startKillableWorker(script: string, args: string[]): KillableWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = (prefix: string): Promise<string> =>
    new Promise((resolve, reject) => {
      let closed = false;
      const check = (): void => {
        const found = out.split('\n').find((l) => l.startsWith(`${prefix} `));
        if (found) return resolve(found.slice(prefix.length + 1));
        if (closed) return reject(new Error(`worker exited (${child.exitCode}) before printing "${prefix}"`));
        setTimeout(check, 50);
      };
      // 'close' comes after the last of stdout: a worker that prints its line and exits at once is still read
      // (on 'exit' the line could be unread, or read after the rejection, which failed a good run).
      child.once('close', () => {
        closed = true;
        check();
      });
      check();
    });
  const kill9 = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  };
  return { child, line, kill9, exited: gone };
}
