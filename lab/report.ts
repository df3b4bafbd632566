/**
 * docs/lab-report.md, generated from docs/lab/results.json: the machine, the versions, the command that
 * reproduces the figures and, per scenario (anchors #dead-app #misalignment #timestamps #scale #queue-down),
 * what was done, the figures, the chart and what they say. Also the end-of-run summary of `npm run lab`.
 *
 *   tsx lab/report.ts [--results docs/lab/results.json] [--out docs]    re-renders the report and the charts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { isMain } from '../scripts/is-main.js';
import { writeCharts } from './charts.js';
import {
  parseResults,
  type DeadAppResult,
  type LabResults,
  type MisalignmentResult,
  type QueueDownResult,
  type ScaleResult,
  type ScenarioName,
  type TimestampsResult,
} from './results.js';

export interface ReportOptions {
  /** The charts' directory relative to the report (default `lab`). */
  readonly chartDir?: string;
}

/** Seconds for a reader: `1.2 s`, or `never (within 20 s)` for a time that was not observed. */
export function secondsText(value: number | null, windowS?: number): string {
  if (value === null) return windowS === undefined ? 'never' : `never (within ${windowS} s)`;
  if (value >= 100) return `${Math.round(value)} s`;
  if (value >= 10) return `${value.toFixed(1)} s`;
  return `${value.toFixed(2)} s`;
}

function num(value: number | null, digits = 1): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function bytes(value: number | null): string {
  if (value === null) return 'n/a';
  return `${(value / 1024 / 1024).toFixed(0)} MiB`;
}

function yes(value: boolean): string {
  return value ? 'yes' : 'no';
}

/** A markdown table; cells are escaped so a `|` in an expression does not break the row. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

function chart(options: ReportOptions, file: string, alt: string): string {
  return `![${alt}](${options.chartDir ?? 'lab'}/${file})`;
}

function notRun(results: LabResults, name: ScenarioName): string {
  const failure = results.failures[name];
  return failure === undefined
    ? `_Not measured in the recorded run (run \`npm run lab -- --only ${name}\`)._`
    : `**This scenario failed in the recorded run**, so there are no figures for it:\n\n\`\`\`\n${failure}\n\`\`\``;
}

function deadAppSection(r: DeadAppResult, options: ReportOptions): string {
  const c = r.config;
  const byId = new Map(r.detections.map((d) => [d.id, d]));
  const direct = byId.get('direct-up')?.detectedAfterS ?? null;
  const ttl = byId.get('exposer-ttl-absent')?.detectedAfterS ?? null;
  const plain = byId.get('exposer-absent')?.detectedAfterS ?? null;
  const lines = [
    `${c.apps} demo apps served their own /metrics (scraped directly every ${c.scrapeIntervalS} s) and pushed the same`,
    `metrics every ${c.pushIntervalS} s to Kafka and to a Pushgateway. Two exposers consumed the topic, one without a`,
    `source TTL and one with a ${c.exposerTtlS} s TTL. One app was stopped; each alerting expression below was evaluated`,
    `through Prometheus's HTTP API every 250 ms for ${c.windowS} s.`,
    '',
    table(
      ['alert expression', 'path', 'fired after the kill'],
      r.detections.map((d) => [
        `\`${d.expr.replace(/"127\.0\.0\.1:\d+"/g, '"<app>"')}\``,
        d.path,
        secondsText(d.detectedAfterS, c.windowS),
      ]),
    ),
    '',
    table(
      ['path', `the dead app's series still queryable after ${c.windowS} s`],
      r.lingering.map((l) => [l.label, yes(l.seriesPresentAtEnd)]),
    ),
    '',
    chart(options, 'dead-app.svg', 'Seconds until each alert expression fired'),
    '',
    `Directly, \`up == 0\` fired ${secondsText(direct)} after the kill: Prometheus found nobody at the address. Through`,
    `the exposer there is no \`up\` per app; its series kept their last value, so \`absent()\` ${plain === null ? `never fired within ${c.windowS} s` : `fired after ${secondsText(plain)}`}`,
    `without a TTL and ${secondsText(ttl, c.windowS)} with a ${c.exposerTtlS} s TTL (that is, the TTL itself). A push-age alert`,
    `works on both the exposer and the Pushgateway, but only with a threshold someone must choose per push interval —`,
    `too short and a slow push pages, too long and a dead app hides for that long.`,
  ];
  return lines.join('\n');
}

function misalignmentSection(r: MisalignmentResult, options: ReportOptions): string {
  const c = r.config;
  const phaseRows = r.propagation.map((p) => {
    const age = r.sampleAge.find((a) => a.phase === p.phase);
    return [
      p.phase,
      secondsText(p.p50S),
      secondsText(p.p99S),
      secondsText(age?.p50S ?? null),
      secondsText(age?.p99S ?? null),
    ];
  });
  const err = r.rate.baselineMeanRelError;
  return [
    `${c.apps} apps pushed every ${c.pushIntervalS} s through a relay topic to two exposers (one with a ${c.exposerTtlS} s`,
    `source TTL) and were also scraped directly every ${c.scrapeIntervalS} s. After ${c.baselineS} s the relay held every`,
    `record for ${c.injectedDelayS} s (a lagging stage, in order) for ${c.delayedS} s, then released the backlog and ran`,
    `without delay for ${c.recoveryS} s. Figures are the exposer's own histograms as Prometheus scraped them.`,
    '',
    table(
      ['phase', 'propagation p50', 'propagation p99', 'sample age at scrape p50', 'sample age p99'],
      phaseRows,
    ),
    '',
    table(
      ['figure', 'value'],
      [
        [
          `rate() through the exposer vs direct, baseline, mean / max relative difference`,
          `${err === null ? 'n/a' : `${(err * 100).toFixed(0)} %`} / ${r.rate.baselineMaxRelError === null ? 'n/a' : `${(r.rate.baselineMaxRelError * 100).toFixed(0)} %`}`,
        ],
        [
          'seconds the exposer rate read under half the direct rate (delay and after)',
          `${r.rate.underReportedS} s`,
        ],
        ['seconds it read over 1.5 x the direct rate (the catch-up)', `${r.rate.overReportedS} s`],
        [
          `seconds live apps looked gone through the exposer with a ${c.exposerTtlS} s TTL`,
          `${r.wronglyAbsentS} s`,
        ],
        ['seconds any app was down directly (`up == 0`)', `${r.directDownS} s`],
      ],
    ),
    '',
    chart(options, 'misalignment.svg', 'rate() direct vs through the exposer'),
    '',
    'The same counters give a different rate() through the exposer: Prometheus sees a staircase that moves once per',
    'push, stamped with the scrape time instead of the time the app counted. When delivery slows down, the rate reads',
    'low and then spikes as the backlog lands, and a source TTL short enough to catch dead apps drops live ones. No',
    'such error exists directly: the sample is taken when it is scraped.',
  ].join('\n');
}

function timestampsSection(r: TimestampsResult, options: ReportOptions): string {
  const c = r.config;
  return [
    `${c.apps} apps pushed every ${c.pushIntervalS} s with their own timestamps through a relay adding up to ${c.jitterS} s of`,
    `random delivery delay (which reorders records), and one source flushed a ${c.backlogAgeS / 3600} h old backlog of`,
    `${c.backlogRecords} records. Three exposers (\`--timestamps none\`, \`source\`, \`drain\`) consumed the same topic, each`,
    `scraped by its own Prometheus, whose own counters (\`prometheus_target_scrapes_sample_*_total\`, scraped from itself)`,
    `are shown after ${c.durationS} s. Then one app was stopped and watched for ${c.observeAfterKillS} s.`,
    '',
    table(
      [
        'mode',
        'out of order',
        'duplicate timestamp',
        'out of bounds',
        'backlog shown as current',
        'dead app gone after',
        `dead app still shown after ${c.observeAfterKillS} s`,
      ],
      [
        ...r.modes.map((m) => [
          `\`${m.mode}\``,
          count(m.outOfOrder),
          count(m.duplicate),
          count(m.outOfBounds),
          yes(m.backlogVisible),
          secondsText(m.deadSeriesGoneAfterS, c.observeAfterKillS),
          yes(m.deadSeriesPresentAtEnd),
        ]),
        [
          'direct',
          '0',
          '0',
          '0',
          'n/a',
          secondsText(r.direct.deadSeriesGoneAfterS, c.observeAfterKillS),
          'no',
        ],
      ],
    ),
    '',
    chart(options, 'timestamps.svg', 'Samples dropped by Prometheus per exposer mode'),
    '',
    "Passing the apps' timestamps through does not fix the misalignment: Prometheus drops every sample older than",
    'the newest it holds for the series (out of order) and everything older than its head block (out of bounds) —',
    "silently for the user, visible only in Prometheus's own counters — and timestamped series get no staleness",
    "marker, so a dead app's series stay for the 5-minute lookback. Without timestamps (`none`), the old backlog is",
    "shown as if it were current, and the dead app's series never go.",
  ].join('\n');
}

function scaleSection(r: ScaleResult, options: ReportOptions): string {
  const c = r.config;
  const outcome =
    r.failedAtSeries === null
      ? `The exposer's scrape never failed up to ${count(c.maxSeries)} series (the bounded maximum of this run).`
      : `At ${count(r.failedAtSeries)} series the exposer's scrape took longer than the ${c.scrapeTimeoutS} s timeout and its single \`up\` turned 0: every app behind it looked dead at once.`;
  // Prometheus (scrapeAndReport in scrape/scrape.go) bounds only the HTTP fetch by the timeout; parsing the body and
  // appending its samples to the TSDB come after, and scrape_duration_seconds counts both.
  const overTimeout = r.steps.filter(
    (s) => s.upMin === 1 && s.scrapeDurationMaxS !== null && s.scrapeDurationMaxS > c.scrapeTimeoutS,
  );
  const slowest = Math.max(...overTimeout.map((s) => s.scrapeDurationMaxS ?? 0));
  const overTimeoutNote =
    overTimeout.length === 0
      ? []
      : [
          '',
          `Where \`scrape_duration_seconds\` exceeds the ${c.scrapeTimeoutS} s timeout and \`up\` stayed 1, there is no contradiction: ` +
            "Prometheus's timeout bounds the HTTP fetch of the body only; parsing it and writing its samples to the TSDB come " +
            'after the fetch, and `scrape_duration_seconds` counts them too. ' +
            (slowest > c.scrapeIntervalS
              ? `At ${secondsText(slowest)} against a ${c.scrapeIntervalS} s interval the exposer's scrapes ran back to back: a target is scraped once at a time, so every interval stretched to the scrape's length.`
              : 'The one target pays that time on every scrape, one scrape at a time.'),
        ];
  return [
    `One exposer, scraped every ${c.scrapeIntervalS} s with a ${c.scrapeTimeoutS} s timeout, received more and more sources of`,
    `${count(c.seriesPerSource)} series each (the load generator). After each step Prometheus's own \`scrape_duration_seconds\``,
    `and \`up\` of the exposer were read over several scrapes, while every source kept pushing about every 5 s (at most`,
    `50 records a second in all: the exposer ingests while it is scraped, as in production). For contrast, ${r.direct.targets} apps of the same size were`,
    'scraped directly with the same interval and timeout.',
    '',
    table(
      ['sources', 'series (target)', 'series held', 'max scrape_duration_seconds', 'min up'],
      r.steps.map((s) => [
        count(s.sources),
        count(s.targetSeries),
        s.series === null ? 'n/a (no scrape succeeded)' : count(s.series),
        secondsText(s.scrapeDurationMaxS),
        String(s.upMin),
      ]),
    ),
    '',
    `Directly: ${r.direct.targets} targets of ${count(r.direct.seriesPerTarget)} series each, max scrape_duration_seconds ${secondsText(r.direct.scrapeDurationMaxS)}, min up ${r.direct.upMin} — each app its own target, whatever the fleet size.`,
    '',
    chart(options, 'scale.svg', 'Exposer scrape duration against the timeout as series grow'),
    '',
    outcome,
    ...overTimeoutNote,
  ].join('\n');
}

function queueDownSection(r: QueueDownResult, options: ReportOptions): string {
  const c = r.config;
  const d = r.during;
  const rec = r.recovery;
  return [
    `${c.apps} apps pushed every ${c.pushIntervalS} s to Kafka and were scraped directly; one exposer consumed the topic.`,
    `After ${c.baselineS} s the broker was stopped for ${c.downS} s, then started again on the same data. The apps' push`,
    'outcomes and the memory of the process holding their producers were scraped from the lab agent.',
    '',
    table(
      ['while the broker was down', 'value'],
      [
        ['`up` of the exposer (min)', num(d.exposerUpMin, 0)],
        ['`exposer_kafka_connected` (min)', num(d.kafkaConnectedMin, 0)],
        ['`up` of the apps scraped directly (min)', num(d.directUpMin, 0)],
        ["the apps' series still served by the exposer", yes(d.exposerSeriesPresent)],
        ['request rate seen directly (mean, req/s)', num(d.directRate)],
        ['request rate seen through the exposer (mean, req/s)', num(d.exposerRate)],
        ['pushes the producers gave up on (lost)', count(d.pushFailures)],
        ['pushes acknowledged', count(d.pushSuccesses)],
        [
          "resident memory of the producers' process, before / most during",
          `${bytes(d.rssBeforeBytes)} / ${bytes(d.rssMaxDuringBytes)}`,
        ],
      ],
    ),
    '',
    table(
      ['recovery', 'value'],
      [
        ['broker restart until it answered', secondsText(rec.brokerStartS)],
        ['then until `exposer_kafka_connected == 1`', secondsText(rec.consumerReconnectS, c.observeAfterS)],
        [
          `then until every app's data through the exposer was under ${rec.freshThresholdS} s old`,
          secondsText(rec.freshDataS, c.observeAfterS),
        ],
      ],
    ),
    '',
    chart(options, 'queue-down.svg', 'Request rate direct and through the exposer while the broker is down'),
    '',
    "While the queue is down, Prometheus keeps scraping a healthy exposer: `up` stays 1 and the apps' series stay at",
    'their last values, so rate() reads no traffic although the apps serve as before — an outage of the monitoring',
    'path that looks like an outage of the apps, or like nothing at all. The pushes made meanwhile fail after the',
    "producer's retries and are gone; direct scraping did not notice the broker at all.",
  ].join('\n');
}

/** The headline figures, one line each, for the end of `npm run lab` and the report's summary. */
export function summaryLines(results: LabResults): string[] {
  const lines: string[] = [];
  const s = results.scenarios;
  const dead = s['dead-app'];
  if (dead) {
    const get = (id: string) => dead.detections.find((d) => d.id === id)?.detectedAfterS ?? null;
    lines.push(
      `dead app: direct up==0 after ${secondsText(get('direct-up'))}; exposer absent() ${secondsText(get('exposer-absent'), dead.config.windowS)} (no TTL), ${secondsText(get('exposer-ttl-absent'), dead.config.windowS)} (TTL ${dead.config.exposerTtlS} s); Pushgateway absent() ${secondsText(get('pushgateway-absent'), dead.config.windowS)}`,
    );
  }
  const mis = s.misalignment;
  if (mis) {
    const base = mis.propagation.find((p) => p.phase === 'baseline');
    lines.push(
      `misalignment: propagation p99 ${secondsText(base?.p99S ?? null)}; rate() through the exposer off by ${mis.rate.baselineMeanRelError === null ? 'n/a' : `${(mis.rate.baselineMeanRelError * 100).toFixed(0)} %`} on average; live apps looked gone for ${mis.wronglyAbsentS} s with a ${mis.config.exposerTtlS} s TTL under a ${mis.config.injectedDelayS} s delay`,
    );
  }
  const ts = s.timestamps;
  if (ts) {
    lines.push(
      `timestamps: dropped by Prometheus (out of order / duplicate / out of bounds): ${ts.modes.map((m) => `${m.mode} ${count(m.outOfOrder)}/${count(m.duplicate)}/${count(m.outOfBounds)}`).join(', ')}`,
    );
  }
  const sc = s.scale;
  if (sc) {
    const last = sc.steps[sc.steps.length - 1];
    lines.push(
      sc.failedAtSeries === null
        ? `scale: the exposer's scrape never failed up to ${count(sc.config.maxSeries)} series (max ${secondsText(last?.scrapeDurationMaxS ?? null)}, timeout ${sc.config.scrapeTimeoutS} s)`
        : `scale: the exposer's up turned 0 at ${count(sc.failedAtSeries)} series (timeout ${sc.config.scrapeTimeoutS} s); direct targets max ${secondsText(sc.direct.scrapeDurationMaxS)}`,
    );
  }
  const q = s['queue-down'];
  if (q) {
    lines.push(
      `queue down: exposer up min ${num(q.during.exposerUpMin, 0)}, rate through it ${num(q.during.exposerRate)} vs ${num(q.during.directRate)} req/s direct, ${count(q.during.pushFailures)} pushes lost; fresh again ${secondsText(q.recovery.freshDataS, q.config.observeAfterS)} after the broker answered`,
    );
  }
  for (const [name, message] of Object.entries(results.failures)) {
    lines.push(`${name}: FAILED: ${message.split('\n')[0] ?? ''}`);
  }
  return lines;
}

function gib(bytesTotal: number): string {
  return `${(bytesTotal / 1024 ** 3).toFixed(1)} GiB`;
}

export function renderReport(results: LabResults, options: ReportOptions = {}): string {
  const m = results.machine;
  const v = results.versions;
  const s = results.scenarios;
  const sections: [ScenarioName, string, (() => string) | undefined][] = [
    ['dead-app', 'Dead app', s['dead-app'] && (() => deadAppSection(s['dead-app']!, options))],
    ['misalignment', 'Misalignment', s.misalignment && (() => misalignmentSection(s.misalignment!, options))],
    ['timestamps', 'Timestamps', s.timestamps && (() => timestampsSection(s.timestamps!, options))],
    ['scale', 'Scale', s.scale && (() => scaleSection(s.scale!, options))],
    ['queue-down', 'Queue down', s['queue-down'] && (() => queueDownSection(s['queue-down']!, options))],
  ];
  const out = [
    '# Lab report: the costs of a queue in front of Prometheus, measured',
    '',
    '<!-- Generated by lab/report.ts from docs/lab/results.json. Do not edit: re-run the lab. -->',
    '',
    'Each figure below was taken on one machine from a real Apache Kafka broker, a real Prometheus (and Pushgateway)',
    "and real processes on loopback, and read back through Prometheus's HTTP API — direct scraping against the",
    'exposer (and the Pushgateway where it applies). The argument these figures back is in',
    '[architecture.md](architecture.md).',
    '',
  ];
  if (results.quick) {
    out.push(
      '> **These are quick-run figures** (`--quick`: every scenario for seconds rather than minutes). They show the',
      '> directions; for the full-length figures run `npm run lab`.',
      '',
    );
  }
  out.push(
    table(
      ['', ''],
      [
        ['reproduce', `\`${results.command}\``],
        ['generated', results.generatedAt],
        ['machine', `${m.cpus} cores (${m.cpuModel}), ${gib(m.memoryBytes)} memory, ${m.os}`],
        ['Prometheus', v.prometheus],
        ['Pushgateway', v.pushgateway],
        ['Apache Kafka', `${v.kafka} (KRaft, one broker)`],
        ['Node.js', `${v.node} (kafkajs ${v.kafkajs})`],
        [
          'scenario run times',
          Object.entries(results.durations)
            .map(([name, secs]) => `${name} ${secs} s`)
            .join(', ') || 'n/a',
        ],
      ],
    ),
    '',
    '## Summary',
    '',
    ...summaryLines(results).map((line) => `- ${line}`),
    '',
  );
  for (const [name, heading, section] of sections) {
    out.push(`## ${heading}`, '', section === undefined ? notRun(results, name) : section(), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('lab-report')
    .description('re-renders docs/lab-report.md and the charts from a results.json')
    .option('--results <file>', 'the results file', 'docs/lab/results.json')
    .option(
      '--out <dir>',
      'docs directory (report at <out>/lab-report.md, charts next to the results)',
      'docs',
    )
    .exitOverride();
  let opts: { results: string; out: string };
  try {
    program.parse([...argv], { from: 'user' });
    opts = program.opts();
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  const file = resolve(opts.results);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(
      `lab-report: ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})\n`,
    );
    return 1;
  }
  const results = parseResults(text, file);
  const chartDir = dirname(file);
  await writeCharts(results, chartDir);
  const out = resolve(opts.out);
  writeFileSync(
    join(out, 'lab-report.md'),
    renderReport(results, { chartDir: relative(out, chartDir) || '.' }),
  );
  return 0;
}

if (isMain(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`lab-report: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
