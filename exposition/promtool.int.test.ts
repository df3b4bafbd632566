/**
 * Conformance with Prometheus: every text 0.0.4 case of the corpus goes through `promtool check metrics`
 * (client_golang's text parser plus promlint), and the parser must accept exactly what promtool parses.
 * promtool exit 1 with "text format parsing error" = rejected; exit 0 (clean) or 3 (lint problems) = parsed.
 * Cases marked `promtool: newer` use Prometheus 3 syntax that promtool 2.42 predates: the corpus test checks them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseText } from './index.js';
import { ExpositionParser } from './parse.js';
import { loadCorpus, readCase } from './corpus.js';
import type { CorpusCase } from './corpus.js';

const PROMTOOL = '/usr/bin/promtool';

interface Verdict {
  readonly parsed: boolean;
  readonly exitCode: number;
  readonly output: string;
}

function promtool(input: Buffer): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const exitCode = code ?? -1;
      if (exitCode === 1 && output.includes('text format parsing error'))
        resolve({ parsed: false, exitCode, output });
      else if (exitCode === 0 || exitCode === 3) resolve({ parsed: true, exitCode, output });
      else reject(new Error(`promtool exited ${exitCode} without a verdict: ${output}`));
    });
    child.stdin.end(input);
  });
}

function parserAccepts(data: Buffer): { accepted: boolean; firstError: string } {
  let firstError = '';
  let errors = 0;
  const parser = new ExpositionParser({ format: 'text' }, (event) => {
    if (event.kind === 'diagnostic' && errors++ === 0)
      firstError = `${event.code} line ${event.line}: ${event.message}`;
  });
  parser.write(data);
  parser.end();
  return { accepted: errors === 0, firstError };
}

const textCases = loadCorpus().filter((c) => c.format === 'text' && c.promtool !== 'newer');

describe('promtool check metrics agrees with the parser on the text corpus', () => {
  it('finds promtool', () => {
    if (!existsSync(PROMTOOL)) {
      throw new Error(`${PROMTOOL} is missing: install with: bash deploy/setup.sh`);
    }
    expect(textCases.length).toBeGreaterThan(60);
  });

  it.each(textCases)('$file', async (entry: CorpusCase) => {
    if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: install with: bash deploy/setup.sh`);
    const data = readCase(entry);
    const verdict = await promtool(data);
    const ours = parserAccepts(data);
    expect(
      { file: entry.file, accepted: ours.accepted },
      `promtool exit ${verdict.exitCode}: ${verdict.output.trim()} | parser: ${ours.firstError || 'no error'}`,
    ).toEqual({ file: entry.file, accepted: verdict.parsed });
    // And the corpus verdict is promtool's.
    expect(entry.verdict).toBe(verdict.parsed ? 'valid' : 'invalid');
  });

  it('agrees on a realistic exposer-style exposition with every kind of line', async () => {
    const lines = ['# HELP up Whether the target answered.', '# TYPE up gauge'];
    for (let i = 0; i < 200; i++) lines.push(`up{job="app-${i % 7}",instance="10.0.0.${i}:8080"} ${i % 2}`);
    const data = Buffer.from(`${lines.join('\n')}\n`);
    const verdict = await promtool(data);
    expect(verdict.parsed).toBe(true);
    expect(parseText(data.toString()).summary.errors).toBe(0);
  });
});
