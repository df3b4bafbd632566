import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startDemoApp } from './demo-app.js';

/** Starts a demo app pushing to `pushgateway` and resolves with the first error it reports. */
async function firstError(pushgateway: string): Promise<string> {
  let report: (message: string) => void = () => undefined;
  const reported = new Promise<string>((resolve) => (report = resolve));
  const app = await startDemoApp({
    port: 0,
    host: '127.0.0.1',
    job: 'demo',
    instance: 'demo-1:8080',
    series: 12,
    topic: 'metrics',
    pushIntervalMs: 60_000,
    timestamps: false,
    pushgateway,
    onError: report,
  });
  try {
    return await reported;
  } finally {
    await app.stop();
  }
}

describe('demo-app pushing to a Pushgateway', () => {
  // A failed PUT used to be counted in stats only: `exposer demo-app --pushgateway URL` said nothing.
  it('reports a PUT the Pushgateway refuses, with the URL and the status', async () => {
    const gateway = createServer((_req, res) => res.writeHead(400, 'Bad Request').end('bad\n'));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      expect(await firstError(`http://127.0.0.1:${port}/`)).toBe(
        `PUT http://127.0.0.1:${port}/metrics/job/demo/instance/demo-1%3A8080 answered 400 Bad Request`,
      );
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it('reports a Pushgateway that cannot be reached', async () => {
    const gateway = createServer();
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    await new Promise((resolve) => gateway.close(resolve));
    expect(await firstError(`http://127.0.0.1:${port}`)).toBe(
      `PUT http://127.0.0.1:${port}/metrics/job/demo/instance/demo-1%3A8080 failed: ECONNREFUSED`,
    );
  });
});
