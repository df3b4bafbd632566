/**
 * The IPC side shared by the benchmark children (bench/exposer-child.ts, bench/p4-child.ts): each runs one exposer
 * in a forked process and answers the runner's requests `{ id, cmd, ... }` with `{ id, ok, value | error }`.
 */

/** Two full collections (the second collects what the first's finalisers freed); needs node --expose-gc. */
export function collectGarbage(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
}

/** Resolves once `done()` holds, polling every `pollMs`; rejects naming `what` after `timeoutMs`. */
export async function waitFor(
  done: () => boolean,
  timeoutMs: number,
  what: string,
  pollMs = 2,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Answers each request from the parent with `answer`'s value or error message, stops the exposer and exits when
 * the parent goes away, and tells the parent the child is up (request id 0) with `hello`.
 */
export function serveRequests<R extends { id: number }>(
  answer: (request: R) => Promise<unknown>,
  stop: () => Promise<void>,
  hello: unknown,
): void {
  process.on('message', (raw) => {
    const request = raw as R;
    answer(request).then(
      (value) => process.send?.({ id: request.id, ok: true, value }),
      (error: unknown) =>
        process.send?.({
          id: request.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  });
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
  process.send?.({ id: 0, ok: true, value: hello });
}

/** Runs a child's `main`, reporting a start-up failure to the parent (as request id 0) before exiting 1. */
export function runChild(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.send?.({ id: 0, ok: false, error: error instanceof Error ? error.message : String(error) });
    setImmediate(() => process.exit(1));
  });
}
