import { describe, expect, it } from 'vitest';
import { LineIndex } from '../positions.js';
import { RuleOptionsError } from '../sources/configured-rule.js';
import { lintDocs, parseDocs } from '../sources/docs.js';
import { architectureQueue } from './architecture-queue.js';

function lint(markdown: string, options: unknown = {}) {
  const model = parseDocs(markdown, 'architecture.md');
  const index = new LineIndex(markdown);
  return lintDocs(model, [{ rule: architectureQueue, options, severity: 'error' }]).map((f) => ({
    ruleId: f.ruleId,
    messageId: f.messageId,
    ...index.position(f.range.start),
    message: f.message,
  }));
}

const chart = (...lines: string[]): string => ['# Design', '', '```mermaid', ...lines, '```', ''].join('\n');

describe('architecture-queue', () => {
  const valid: [string, string][] = [
    [
      'direct scraping',
      chart('flowchart LR', '  P[Prometheus] -->|scrapes| A[Checkout]', '  P -->|scrapes| B[Payments]'),
    ],
    [
      'a queue for business events, metrics scraped directly',
      chart('flowchart LR', '  A[Checkout] --> K[(Kafka)] --> W[Warehouse]', '  P[Prometheus] --> A'),
    ],
    [
      'Prometheus remote-writes into Kafka (the queue is behind Prometheus, not in front)',
      chart('flowchart LR', '  P[Prometheus] -->|remote_write| K[(Kafka)] --> S[Storage]', '  P --> A[App]'),
    ],
    ['a queue nobody feeds', chart('flowchart LR', '  K[(Kafka)] --> E[Exposer] --> P[Prometheus]')],
    ['not a flowchart', ['```mermaid', 'sequenceDiagram', 'App->>Kafka: push', '```'].join('\n')],
    [
      'a code block that is not mermaid',
      ['```text', 'graph LR', 'A --> K[Kafka] --> E[Exposer] --> P[Prometheus]', '```'].join('\n'),
    ],
    [
      'the exposer is beyond maxHops',
      chart(
        'flowchart LR',
        '  A[App] --> K[(Kafka)] --> X1 --> X2 --> X3 --> X4 --> X5[Exposer]',
        '  P[Prometheus] --> X5',
      ),
    ],
  ];
  it.each(valid)('valid: %s', (_name, markdown) => {
    expect(lint(markdown)).toEqual([]);
  });

  it('invalid: apps -> Kafka -> exposer <- Prometheus (scrape drawn from Prometheus)', () => {
    const findings = lint(
      chart(
        'flowchart LR',
        '  A1[Checkout] -->|push| K[(Kafka)]',
        '  A2[Payments] -->|push| K',
        '  K --> E[Exposer]',
        '  P[Prometheus] -->|scrapes| E',
      ),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'architecture-queue',
        messageId: 'queueInFront',
        line: 5,
        column: 26,
      }),
    ]);
    expect(findings[0]?.message).toContain(
      'Applications "Checkout", "Payments" feed "Kafka", which feeds "Exposer"',
    );
    expect(findings[0]?.message).toContain('docs/architecture.md');
  });

  it('invalid: the scrape edge drawn from the exposer to Prometheus, in one chain', () => {
    expect(
      lint(chart('graph TD', 'app --> queue[Message queue] --> gw[Metrics gateway] --> prom[Prometheus]')),
    ).toEqual([expect.objectContaining({ messageId: 'queueInFront', line: 5, column: 9 })]);
  });

  it('invalid: apps in a subgraph, several queues and a consumer before the exposer', () => {
    const findings = lint(
      chart(
        'flowchart LR',
        '  subgraph apps [Applications]',
        '    a1[Orders] & a2[Billing] & a3[Search] & a4[Auth]',
        '  end',
        '  apps --> k1[[Kinesis]] --> k2[(SQS)]',
        '  k2 --> c[Consumer] --> s[(Store)] --> x[HTTP server]',
        '  x <-- scrape --- p[(Prometheus)]',
      ),
    );
    expect(findings.map((f) => [f.messageId, f.line, f.column])).toEqual([
      ['queueInFront', 8, 12],
      ['queueInFront', 8, 30],
    ]);
    expect(findings[0]?.message).toContain('"Orders", "Billing", "Search" and 1 more');
  });

  it('invalid: every broker name the rule knows', () => {
    for (const broker of ['RabbitMQ', 'Pulsar', 'NATS', 'Pub/Sub', 'Event Hubs', 'Redpanda', 'message bus']) {
      const findings = lint(
        chart('flowchart LR', `  A[App] --> Q[${broker}] --> B[Kafka bridge] --> P[Prometheus]`),
      );
      expect(
        findings.map((f) => f.messageId),
        broker,
      ).toEqual(['queueInFront']);
    }
  });

  it('options: extra queue and scraper patterns', () => {
    const markdown = chart('flowchart LR', '  A[App] --> T[Tube] --> E[Reader] --> V[Victoria]');
    expect(lint(markdown)).toEqual([]);
    expect(lint(markdown, { queuePatterns: ['^tube$'], scraperPatterns: ['victoria'] })).toHaveLength(1);
  });

  it('rejects invalid options with the rule named', () => {
    expect(() => lint(chart('graph LR'), { queuePatterns: ['(('] })).toThrow(RuleOptionsError);
    expect(() => lint(chart('graph LR'), { maxHops: 0 })).toThrow(/architecture-queue/);
    expect(() => lint(chart('graph LR'), { unknown: true })).toThrow(RuleOptionsError);
  });
});
