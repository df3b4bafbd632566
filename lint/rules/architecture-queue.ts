/**
 * architecture-queue: a mermaid flowchart in which applications feed a queue or broker, something downstream of
 * that queue (an exposer, gateway, bridge, consumer) serves the metrics, and Prometheus scrapes it. The scrape edge
 * may be drawn either way (`Prometheus -->|scrapes| Exposer` or `Exposer --> Prometheus`).
 *
 * Nodes are classified by their label and id: scraper (Prometheus and its agents), queue (Kafka, Kinesis, ...),
 * everything else is a plain node. A queue counts when a plain node (an application) reaches it, possibly through
 * other queues; the exposer is any plain node reachable from the queue (within a few hops, not back through the
 * scraper) that has an edge to or from a scraper.
 */
import { z } from 'zod';
import type { Flowchart, FlowchartNode, Rule } from '../types.js';

const pattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const schema = z.strictObject({
  /** Extra regular expressions (case-insensitive) for node labels that name a queue or broker. */
  queuePatterns: z.array(pattern).default([]),
  /** Extra regular expressions for node labels that name a scraper (besides Prometheus and its agents). */
  scraperPatterns: z.array(pattern).default([]),
  /** Hops allowed from the queue to the scraped node (1: the queue feeds the exposer directly). */
  maxHops: z.int().min(1).max(10).default(4),
});

const QUEUE =
  /\b(?:kafka|queues?|kinesis|pulsar|rabbit\s?mq|sqs|pub\s?\/?\s?sub|nats|jetstream|brokers?|event\s?hubs?|activemq|redpanda|mqtt|amqp|zeromq|message\s?bus|event\s?bus|nsq)\b/i;
/** Exposer-like names win over queue words ("Kafka consumer", "Kafka bridge" consume, they do not queue). */
const DOWNSTREAM =
  /\b(?:expos\w*|gateway|pushgateway|bridge|consumers?|adapter|aggregat\w*|relay|exporter|forwarder)\b/i;
const SCRAPER = /\b(?:prometheus|vmagent|grafana\s?agent|alloy)\b/i;

type Role = 'queue' | 'scraper' | 'plain';

const FOUR_COSTS =
  'the apps must buffer while the queue is down; samples reach Prometheus out of step with its scrapes, and timestamps would cost staleness handling; one massive target must serve everything within scrape_timeout or the scrape fails (all samples lost), and Prometheus then parses and ingests it on one core, late for every app when that outlasts the interval; and Prometheus records one `up` for all of them, with no per-app scrape_* series or sample_limit. Let Prometheus scrape the applications directly (see docs/architecture.md).';

export const architectureQueue: Rule<typeof schema> = {
  meta: {
    id: 'architecture-queue',
    description:
      'A flowchart where applications push metrics through a queue to an exposer that Prometheus scrapes.',
    defaultSeverity: 'error',
    appliesTo: ['docs'],
    messages: {
      queueInFront: `{{apps}} feed {{queue}}, which feeds {{exposer}} that {{scraper}} scrapes: a queue in front of Prometheus. Costs: ${FOUR_COSTS}`,
    },
    schema,
  },
  create(context) {
    const extraQueue = context.options.queuePatterns.map((source) => new RegExp(source, 'i'));
    const extraScraper = context.options.scraperPatterns.map((source) => new RegExp(source, 'i'));

    const roleOf = (node: FlowchartNode): Role => {
      const texts = node.label === node.id ? [node.id] : [node.label, node.id];
      const words = texts.join(' ').replace(/[_-]/g, ' ');
      const extra = (patterns: readonly RegExp[]): boolean =>
        patterns.some((re) => texts.some((t) => re.test(t)));
      if (SCRAPER.test(words) && !DOWNSTREAM.test(words)) return 'scraper';
      if (extra(extraScraper)) return 'scraper';
      if (DOWNSTREAM.test(words)) return 'plain';
      if (QUEUE.test(words) || extra(extraQueue)) return 'queue';
      return 'plain';
    };

    const check = (chart: Flowchart): void => {
      const byId = new Map(chart.nodes.map((node) => [node.id, node]));
      const nodeOf = (id: string): FlowchartNode => byId.get(id) ?? { id, label: id, range: chart.range };
      const role = new Map<string, Role>();
      const roleById = (id: string): Role => {
        let known = role.get(id);
        if (known === undefined) {
          known = roleOf(nodeOf(id));
          role.set(id, known);
        }
        return known;
      };
      const out = new Map<string, string[]>();
      const into = new Map<string, string[]>();
      for (const edge of chart.edges) {
        if (edge.from === edge.to) continue;
        (out.get(edge.from) ?? out.set(edge.from, []).get(edge.from))?.push(edge.to);
        (into.get(edge.to) ?? into.set(edge.to, []).get(edge.to))?.push(edge.from);
      }
      // Members of a subgraph feed what the subgraph feeds.
      for (const group of chart.subgraphs ?? []) {
        const targets = out.get(group.id);
        if (targets === undefined) continue;
        for (const member of group.members) {
          for (const target of targets) {
            (into.get(target) ?? into.set(target, []).get(target))?.push(member);
          }
        }
      }
      const scrapersOf = (id: string): string[] =>
        [...(out.get(id) ?? []), ...(into.get(id) ?? [])].filter((other) => roleById(other) === 'scraper');

      for (const node of chart.nodes) {
        if (roleById(node.id) !== 'queue') continue;
        // Applications: plain nodes that reach this queue, possibly through other queues.
        const apps: string[] = [];
        const seenUp = new Set([node.id]);
        const up = [node.id];
        while (up.length > 0 && seenUp.size < 10_000) {
          const current = up.shift() ?? '';
          for (const source of into.get(current) ?? []) {
            if (seenUp.has(source)) continue;
            seenUp.add(source);
            const sourceRole = roleById(source);
            if (sourceRole === 'queue') up.push(source);
            else if (sourceRole === 'plain' && !(chart.subgraphs ?? []).some((g) => g.id === source))
              apps.push(source);
          }
        }
        if (apps.length === 0) continue;

        // The exposer: a plain node downstream of the queue (not an app) that a scraper is wired to.
        let found: { exposer: string; scraper: string } | undefined;
        const seenDown = new Set([node.id]);
        let frontier = [node.id];
        for (
          let hop = 0;
          hop < context.options.maxHops && found === undefined && frontier.length > 0;
          hop++
        ) {
          const next: string[] = [];
          for (const current of frontier) {
            for (const target of out.get(current) ?? []) {
              if (seenDown.has(target) || roleById(target) === 'scraper') continue;
              seenDown.add(target);
              next.push(target);
              if (found === undefined && roleById(target) === 'plain' && !apps.includes(target)) {
                const scraper = scrapersOf(target)[0];
                if (scraper !== undefined) found = { exposer: target, scraper };
              }
            }
          }
          frontier = next;
        }
        if (found === undefined) continue;

        const appLabels = apps.map((id) => `"${nodeOf(id).label}"`);
        const appsText =
          appLabels.length <= 3
            ? `Applications ${appLabels.join(', ')}`
            : `Applications ${appLabels.slice(0, 3).join(', ')} and ${appLabels.length - 3} more`;
        context.report({
          messageId: 'queueInFront',
          data: {
            apps: appsText,
            queue: `"${node.label}"`,
            exposer: `"${nodeOf(found.exposer).label}"`,
            scraper: `"${nodeOf(found.scraper).label}"`,
          },
          range: node.range,
        });
      }
    };

    return {
      docs(model) {
        for (const chart of model.flowcharts) check(chart);
      },
    };
  },
};

export default architectureQueue;
