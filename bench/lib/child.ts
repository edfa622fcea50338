import { fork } from 'node:child_process';

/**
 * A benchmark helper process (bench/servers/*.ts) driven over IPC. The child
 * sends `{ type: 'ready', ... }` once; afterwards every message the parent sends
 * carries an `id`, and the child answers it with `{ id, ok: true, ... }` or
 * `{ id, ok: false, error }`. `{ type: 'stop' }` asks it to close and exit 0.
 */
export interface ChildHandle<Ready> {
  pid: number;
  ready: Ready;
  ask<T = Record<string, unknown>>(type: string, extra?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  ok?: boolean;
  error?: string;
  type?: string;
}

export function startChild<Ready>(script: string, opts: { env?: Record<string, string>; execArgv?: string[] } = {}): Promise<ChildHandle<Ready>> {
  const child = fork(script, [], {
    execPath: process.execPath,
    execArgv: [...process.execArgv, ...(opts.execArgv ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  child.on('message', (msg: Reply) => {
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg);
    else p.reject(new Error(msg.error ?? 'child failed'));
  });
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${script} exited (${signal ?? code})`));
    pending.clear();
  });

  return new Promise((resolve, reject) => {
    const onEarlyExit = (code: number | null) => reject(new Error(`${script} exited with code ${code} before it was ready`));
    child.once('exit', onEarlyExit);
    const onReady = (msg: Reply & Ready) => {
      if (msg.type !== 'ready') return;
      child.off('message', onReady);
      child.off('exit', onEarlyExit);
      resolve({
        pid: child.pid!,
        ready: msg,
        ask<T>(type: string, extra: Record<string, unknown> = {}) {
          return new Promise<T>((res, rej) => {
            const id = nextId++;
            pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
            child.send({ ...extra, type, id });
          });
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.send({ type: 'stop' });
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          const code = await exited;
          clearTimeout(timer);
          if (code !== 0) throw new Error(`${script} exited with code ${code}`);
        },
      });
    };
    child.on('message', onReady);
  });
}

/**
 * The child's side: answers the parent's requests with `handlers[type]`, sends
 * `{ type: 'ready', ...ready }`, and runs `close` on 'stop', SIGTERM or when
 * the parent goes away.
 */
export function serveParent(
  ready: Record<string, unknown>,
  handlers: Record<string, (msg: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>>,
  close: () => Promise<void>,
): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    let code = 0;
    try {
      await close();
    } catch (err) {
      console.error(err);
      code = 1;
    }
    process.exit(code);
  };
  process.on('message', (msg: Record<string, unknown> & { type: string; id?: number }) => {
    if (msg.type === 'stop') return void stop();
    const handler = handlers[msg.type];
    const id = msg.id;
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown request ${msg.type}`);
        const out = await handler(msg);
        process.send!({ ...out, id, ok: true });
      } catch (err) {
        process.send!({ id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    })();
  });
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
  process.send!({ ...ready, type: 'ready' });
}
