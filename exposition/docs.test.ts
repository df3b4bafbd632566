/** The examples of docs/exposition.md are executed: their shown output must be what the code gives. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../scripts/project-root.js';
import { parseText, render } from './index.js';
import type { FamilyModel } from './index.js';

const doc = readFileSync(join(projectRoot(), 'docs', 'exposition.md'), 'utf8');

function block(marker: string): string {
  const at = doc.indexOf(`<!-- ${marker} -->`);
  if (at === -1) throw new Error(`docs/exposition.md has no <!-- ${marker} -->`);
  const open = doc.indexOf('```text\n', at);
  const close = doc.indexOf('```', open + 8);
  return doc.slice(open + 8, close);
}

describe('docs/exposition.md examples', () => {
  it('parse: the events shown are the events given', () => {
    const { events, summary } = parseText(block('docs-example: parse'));
    const lines = events.map((e) => {
      if (e.kind === 'sample') {
        const labels = e.labels.map((l) => `${l.name}="${l.value}"`).join(',');
        return `sample ${e.name} {${labels}} ${e.value}${e.timestampMs === undefined ? '' : ` @${e.timestampMs}`} (line ${e.line})`;
      }
      if (e.kind === 'diagnostic')
        return `diagnostic ${e.code} ${e.line}:${e.start - e.lineStart + 1} ${e.message}`;
      if (e.kind === 'type') return `type ${e.family} ${e.text} (line ${e.line})`;
      return e.kind;
    });
    lines.push(
      `summary: ${summary.samples} samples, ${summary.errors} error, ${summary.timestampedSamples} with a timestamp`,
    );
    expect(`${lines.join('\n')}\n`).toBe(block('docs-output: parse'));
  });

  it('render: both outputs shown are the outputs given', () => {
    const families: FamilyModel[] = [
      {
        name: 'jobs_processed_total',
        type: 'counter',
        help: 'Jobs done.',
        samples: [{ labels: { queue: 'orders' }, value: 1027 }],
      },
      {
        name: 'job_duration_seconds',
        type: 'gauge',
        unit: 'seconds',
        samples: [{ value: 0.25, timestampMs: 1700000000123 }],
      },
    ];
    expect(render(families, 'text')).toBe(block('docs-output: render-text'));
    expect(render(families, 'openmetrics')).toBe(block('docs-output: render-openmetrics'));
  });
});
