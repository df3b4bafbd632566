import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startPrometheus } from '../deploy/prometheus/server.js';
import { freePort } from './ports.js';

describe('a real Prometheus on loopback', () => {
  it('scrapes a tiny target started by the test: up == 1 and the sample, read back through the query API', async () => {
    let scrapes = 0;
    const target = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`# TYPE smoke_answer gauge\nsmoke_answer{flavour="plain"} 42\n`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const prometheus = await startPrometheus({
      port: await freePort(),
      scrapeConfigs: [{ job_name: 'smoke', static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }] }],
    });
    try {
      const up = await prometheus.waitFor('up{job="smoke"}', (r) => r.length === 1, 20_000);
      expect(up[0]!.value).toBe(1);
      expect(up[0]!.metric['instance']).toBe(`127.0.0.1:${targetPort}`);
      const answer = await prometheus.waitFor('smoke_answer', (r) => r.length === 1, 20_000);
      expect(answer[0]!.value).toBe(42);
      expect(answer[0]!.metric).toMatchObject({ job: 'smoke', flavour: 'plain' });
      expect(scrapes).toBeGreaterThan(0);
    } finally {
      await prometheus.stop();
      target.close();
    }
  });
});
