import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ParseEvent, ParseSummary } from '../../exposition/types.js';
import { rules } from '../rules/index.js';
import type { Rule } from '../types.js';
import { RuleOptionsError } from './configured-rule.js';
import {
  TRUNCATED_MESSAGE_ID,
  chunksOf,
  lintExposition,
  lintUrl,
  readFileChunks,
  readStdinChunks,
} from './exposition.js';
import { FetchError } from './fetch.js';

/** Reports every sample, and every visitor call it gets, to observe the dispatch. */
function recorder(calls: string[]): Rule {
  return {
    meta: {
      id: 'recorder',
      description: 'test',
      defaultSeverity: 'warn',
      appliesTo: ['exposition'],
      messages: { sample: 'sample {{name}}' },
      schema: z.strictObject({ limit: z.int().default(1) }),
    },
    create(context) {
      return {
        sample(event) {
          calls.push(`sample ${event.name}`);
          context.report({
            messageId: 'sample',
            data: { name: event.name },
            range: event.nameRange,
            at: event,
          });
        },
        metadata(event) {
          calls.push(`${event.kind} ${event.family}`);
        },
        fact(event) {
          calls.push(`fact ${event.code}`);
        },
        diagnostic(event) {
          calls.push(`diagnostic ${event.code}`);
        },
        expositionEnd(summary) {
          calls.push(`end ${summary.samples}`);
        },
      };
    },
  };
}

describe('lintExposition', () => {
  it('dispatches every kind of event to the visitors, then the end once', async () => {
    const calls: string[] = [];
    const { findings, summary } = await lintExposition(
      chunksOf('# HELP a x\n# TYPE a gauge\na 1\n', 'a 2\nb{ 1\n'),
      { filePath: 'm.prom', rules: [{ rule: recorder(calls), options: {}, severity: 'error' }] },
    );
    expect(calls).toEqual([
      'help a',
      'type a',
      'sample a',
      'fact duplicate-series',
      'sample a',
      expect.stringMatching(/^diagnostic /),
      'end 2',
    ]);
    expect(summary).toMatchObject({ samples: 2, format: 'text' });
    expect(
      findings.map((f) => [f.ruleId, f.messageId, f.message, f.severity, f.filePath, f.at?.line]),
    ).toEqual([
      ['recorder', 'sample', 'sample a', 'error', 'm.prom', 3],
      ['recorder', 'sample', 'sample a', 'error', 'm.prom', 4],
    ]);
  });

  it('feeds an engine sink and the rules together', async () => {
    const events: ParseEvent['kind'][] = [];
    let ended: ParseSummary | undefined;
    const { findings } = await lintExposition(chunksOf('a 1\n'), {
      filePath: 'm.prom',
      rules: [{ rule: recorder([]), options: {}, severity: 'warn' }],
      sink: { event: (e) => events.push(e.kind), end: (s) => (ended = s) },
    });
    expect(events).toEqual(['sample']);
    expect(ended?.samples).toBe(1);
    expect(findings).toHaveLength(1);
  });

  it('caps the findings per rule and ends with one that counts the rest', async () => {
    const text = Array.from({ length: 25 }, (_, i) => `m${i} 1`).join('\n') + '\n';
    const { findings } = await lintExposition(chunksOf(text), {
      filePath: 'm.prom',
      rules: [{ rule: recorder([]), options: {}, severity: 'warn' }],
      maxFindingsPerRule: 10,
    });
    expect(findings).toHaveLength(11);
    const last = findings[10]!;
    expect(last).toMatchObject({ ruleId: 'recorder', messageId: TRUNCATED_MESSAGE_ID, at: { line: 11 } });
    expect(last.message).toBe('and 15 more findings of recorder (only the first 10 are listed)');
  });

  it('honours a forced format and a Content-Type', async () => {
    const om = await lintExposition(chunksOf('a 1\n'), { filePath: 'x', format: 'openmetrics' });
    expect(om.summary.format).toBe('openmetrics');
    const text = await lintExposition(chunksOf('a 1\n# EOF\n'), {
      filePath: 'x',
      contentType: 'text/plain; version=0.0.4',
    });
    expect(text.summary.format).toBe('text');
  });

  it('rejects invalid rule options with the rule named', async () => {
    await expect(
      lintExposition(chunksOf(''), {
        filePath: 'x',
        rules: [{ rule: recorder([]), options: { limit: 'x' }, severity: 'warn' }],
      }),
    ).rejects.toThrow(
      new RuleOptionsError('recorder', 'limit: Invalid input: expected number, received string'),
    );
  });

  it('names the rule when a visitor throws, and rejects unknown messageIds', async () => {
    const broken: Rule = {
      ...recorder([]),
      create: () => ({
        sample: () => {
          throw new Error('kaput');
        },
      }),
    };
    await expect(
      lintExposition(chunksOf('a 1\n'), {
        filePath: 'x',
        rules: [{ rule: broken, options: {}, severity: 'warn' }],
      }),
    ).rejects.toThrow('rule recorder failed: kaput');
    const wrongId: Rule = {
      ...recorder([]),
      create: (context) => ({ sample: (e) => context.report({ messageId: 'nope', range: e.range, at: e }) }),
    };
    await expect(
      lintExposition(chunksOf('a 1\n'), {
        filePath: 'x',
        rules: [{ rule: wrongId, options: {}, severity: 'warn' }],
      }),
    ).rejects.toThrow('reported unknown messageId "nope"');
  });

  it('passes errors of the input stream through', async () => {
    async function* failing(): AsyncIterable<string> {
      yield await Promise.resolve('a 1\n');
      throw new Error('disk on fire');
    }
    await expect(lintExposition(failing(), { filePath: 'x' })).rejects.toThrow('disk on fire');
  });
});

describe('input helpers', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'scrapelint-exposition-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a file in chunks', async () => {
    const path = join(dir, 'big.prom');
    writeFileSync(path, Array.from({ length: 20_000 }, (_, i) => `m{i="${i}"} ${i}`).join('\n') + '\n');
    let chunks = 0;
    async function* counted(): AsyncIterable<Buffer> {
      for await (const chunk of readFileChunks(path)) {
        chunks++;
        yield chunk;
      }
    }
    const { summary } = await lintExposition(counted(), { filePath: path });
    expect(summary.samples).toBe(20_000);
    expect(chunks).toBeGreaterThan(1);
  });

  it('rejects a missing file with its code', async () => {
    await expect(
      lintExposition(readFileChunks(join(dir, 'missing.prom')), { filePath: 'x' }),
    ).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('reads standard input', async () => {
    const { summary } = await lintExposition(readStdinChunks(Readable.from([Buffer.from('a 1\nb 2\n')])), {
      filePath: '<stdin>',
    });
    expect(summary.samples).toBe(2);
  });
});

describe('lintUrl', () => {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Encoding': 'gzip' });
      res.end(gzipSync('a 1 1000\nb 2\n'));
    } else {
      res.writeHead(503);
      res.end();
    }
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches, decompresses and lints, showing the URL as the file', async () => {
    const { findings, summary } = await lintUrl(`${base}/metrics`, {
      rules: [{ rule: recorder([]), options: {}, severity: 'warn' }],
    });
    expect(summary).toMatchObject({ samples: 2, timestampedSamples: 1, format: 'text' });
    expect(findings.map((f) => f.filePath)).toEqual([`${base}/metrics`, `${base}/metrics`]);
  });

  it('rejects with the fetch error', async () => {
    await expect(lintUrl(`${base}/down`)).rejects.toThrow(FetchError);
    await expect(lintUrl(`${base}/down`)).rejects.toThrow(`${base}/down: server returned HTTP status 503`);
  });
});

describe('the exposition rules on arbitrary input', () => {
  const own = rules.filter((rule) => rule.meta.appliesTo.includes('exposition'));
  const line = fc.oneof(
    fc.constantFrom(
      '# HELP a x',
      '# TYPE a counter',
      '# TYPE a_total gauge',
      '# TYPE h histogram',
      '# EOF',
      '',
    ),
    fc.constantFrom(
      'a 1',
      'a 1 1000',
      'a{le="1"} 2 5',
      'h_bucket{le="+Inf"} 1',
      'a_total 1 1.5',
      'fooBar:baz_ms 1',
    ),
    fc.string({ maxLength: 30 }),
  );

  it('never throws, and every finding has a line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        async (lines, size) => {
          const text = lines.join('\n');
          const parts: string[] = [];
          for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
          const { findings } = await lintExposition(chunksOf(...parts), {
            filePath: 'fuzz.prom',
            rules: own.map((rule) => ({ rule, options: {}, severity: 'warn' as const })),
          });
          for (const finding of findings) {
            expect(finding.at?.line).toBeGreaterThan(0);
            expect(finding.range.start).toBeGreaterThanOrEqual(finding.at?.lineStart ?? 0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
