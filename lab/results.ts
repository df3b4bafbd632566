/**
 * The shape of docs/lab/results.json: one zod schema, the single source of truth for what the scenarios return,
 * what the charts draw and what the report prints. Every figure here was read back from Prometheus's HTTP API.
 * `null` for a time means "not observed within the scenario's window" — the figure the report must show as
 * "never (within N s)", not as zero.
 */
import { z } from 'zod';

export const SCENARIOS = ['dead-app', 'misalignment', 'timestamps', 'scale', 'queue-down'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const seconds = z.number().finite().nonnegative();
const maybeSeconds = seconds.nullable();
const count = z.number().finite().nonnegative();

export const pathSchema = z.enum(['direct', 'exposer', 'pushgateway']);
export type ScrapePath = z.infer<typeof pathSchema>;

export const deadAppSchema = z.object({
  config: z.object({
    apps: z.number().int().positive(),
    scrapeIntervalS: seconds,
    pushIntervalS: seconds,
    exposerTtlS: seconds,
    pushAgeThresholdS: seconds,
    windowS: seconds,
  }),
  detections: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      path: pathSchema,
      expr: z.string(),
      /** From the kill to the first evaluation where the alerting expression returned something. */
      detectedAfterS: maybeSeconds,
    }),
  ),
  /** Whether the dead app's app_requests_total was still returned by an instant query at the window's end. */
  lingering: z.array(z.object({ id: z.string(), label: z.string(), seriesPresentAtEnd: z.boolean() })),
});

export const misalignmentSchema = z.object({
  config: z.object({
    apps: z.number().int().positive(),
    scrapeIntervalS: seconds,
    pushIntervalS: seconds,
    injectedDelayS: seconds,
    exposerTtlS: seconds,
    rateWindowS: seconds,
    baselineS: seconds,
    delayedS: seconds,
    recoveryS: seconds,
  }),
  /** exposer_propagation_delay_seconds quantiles, by phase. */
  propagation: z.array(z.object({ phase: z.string(), p50S: maybeSeconds, p99S: maybeSeconds })),
  /** exposer_sample_age_seconds quantiles at scrape, by phase. */
  sampleAge: z.array(z.object({ phase: z.string(), p50S: maybeSeconds, p99S: maybeSeconds })),
  rate: z.object({
    /** Mean and max of |exposer - direct| / direct over the baseline phase, for the same counter. */
    baselineMeanRelError: z.number().nullable(),
    baselineMaxRelError: z.number().nullable(),
    /** Seconds of the delayed and recovery phases where the rate through the exposer was under half the direct one. */
    underReportedS: seconds,
    /** ... and over one and a half times the direct one (the catch-up spike). */
    overReportedS: seconds,
    points: z.array(
      z.object({ t: z.number(), direct: z.number().nullable(), exposer: z.number().nullable() }),
    ),
  }),
  /** Seconds in which the live app looked gone through the exposer with a TTL while `up` of the app was 1. */
  wronglyAbsentS: seconds,
  directDownS: seconds,
});

export const timestampModeSchema = z.object({
  mode: z.enum(['none', 'source', 'drain']),
  outOfOrder: count,
  duplicate: count,
  outOfBounds: count,
  /** Whether the killed app's series were still returned at the end of the observation window. */
  deadSeriesPresentAtEnd: z.boolean(),
  /** From the kill to the first instant query that no longer returned the killed app's series. */
  deadSeriesGoneAfterS: maybeSeconds,
  /** Whether the backlog source (2 h old records) was visible as a current series. */
  backlogVisible: z.boolean(),
});

export const timestampsSchema = z.object({
  config: z.object({
    apps: z.number().int().positive(),
    scrapeIntervalS: seconds,
    pushIntervalS: seconds,
    jitterS: seconds,
    durationS: seconds,
    observeAfterKillS: seconds,
    backlogRecords: z.number().int().nonnegative(),
    backlogAgeS: seconds,
  }),
  modes: z.array(timestampModeSchema),
  direct: z.object({ deadSeriesGoneAfterS: maybeSeconds }),
});

export const scaleStepSchema = z.object({
  sources: z.number().int().nonnegative(),
  /** exposer_series as Prometheus scraped it; null when no scrape of the step succeeded. */
  series: count.nullable(),
  targetSeries: count,
  scrapeDurationMaxS: seconds,
  upMin: z.number(),
  scrapes: z.number().int().nonnegative(),
  /** Records a second the fleet pushed meanwhile (the exposer ingests while it is scraped). */
  pushedRecordsPerS: count,
});

export const scaleSchema = z.object({
  config: z.object({
    scrapeIntervalS: seconds,
    scrapeTimeoutS: seconds,
    seriesPerSource: z.number().int().positive(),
    maxSeries: count,
  }),
  steps: z.array(scaleStepSchema),
  /** The target size of the first step where `up` of the exposer turned 0; null if it never did. */
  failedAtSeries: count.nullable(),
  direct: z.object({
    targets: z.number().int().nonnegative(),
    seriesPerTarget: z.number().int().nonnegative(),
    scrapeDurationMaxS: seconds,
    upMin: z.number(),
  }),
});

export const queueDownSchema = z.object({
  config: z.object({
    apps: z.number().int().positive(),
    scrapeIntervalS: seconds,
    pushIntervalS: seconds,
    baselineS: seconds,
    downS: seconds,
    observeAfterS: seconds,
  }),
  during: z.object({
    exposerUpMin: z.number().nullable(),
    kafkaConnectedMin: z.number().nullable(),
    directUpMin: z.number().nullable(),
    /** The exposer still served the apps' series (frozen at their last values). */
    exposerSeriesPresent: z.boolean(),
    /** Mean of sum(rate(app_requests_total)) over the outage, direct and through the exposer. */
    directRate: z.number().nullable(),
    exposerRate: z.number().nullable(),
    /** Pushes the apps' producers gave up on during the outage (lost: kafkajs keeps no buffer). */
    pushFailures: count,
    pushSuccesses: count,
    /** Resident memory of the process holding the apps' producers: before, and the most during the outage. */
    rssBeforeBytes: count.nullable(),
    rssMaxDuringBytes: count.nullable(),
  }),
  recovery: z.object({
    /** From the broker restart command to the broker answering metadata requests. */
    brokerStartS: seconds,
    /** From the broker answering to exposer_kafka_connected == 1 in Prometheus. */
    consumerReconnectS: maybeSeconds,
    /** From the broker answering to every app's data through the exposer being fresh again (age < threshold). */
    freshDataS: maybeSeconds,
    freshThresholdS: seconds,
  }),
  timeline: z.array(
    z.object({
      t: z.number(),
      direct: z.number().nullable(),
      exposer: z.number().nullable(),
      kafkaConnected: z.number().nullable(),
    }),
  ),
});

export const machineSchema = z.object({
  cpus: z.number().int().positive(),
  cpuModel: z.string(),
  memoryBytes: count,
  os: z.string(),
});

export const versionsSchema = z.object({
  prometheus: z.string(),
  kafka: z.string(),
  node: z.string(),
  pushgateway: z.string(),
  kafkajs: z.string(),
});

export const resultsSchema = z.object({
  schemaVersion: z.literal(1),
  generatedAt: z.string(),
  command: z.string(),
  quick: z.boolean(),
  machine: machineSchema,
  versions: versionsSchema,
  scenarios: z.object({
    'dead-app': deadAppSchema.optional(),
    misalignment: misalignmentSchema.optional(),
    timestamps: timestampsSchema.optional(),
    scale: scaleSchema.optional(),
    'queue-down': queueDownSchema.optional(),
  }),
  /** A scenario that failed: its error message, so the report says so instead of showing stale numbers. */
  failures: z.record(z.string(), z.string()).default({}),
  /** Wall-clock seconds each scenario took. */
  durations: z.record(z.string(), seconds).default({}),
});

export type DeadAppResult = z.infer<typeof deadAppSchema>;
export type MisalignmentResult = z.infer<typeof misalignmentSchema>;
export type TimestampsResult = z.infer<typeof timestampsSchema>;
export type TimestampModeResult = z.infer<typeof timestampModeSchema>;
export type ScaleResult = z.infer<typeof scaleSchema>;
export type ScaleStep = z.infer<typeof scaleStepSchema>;
export type QueueDownResult = z.infer<typeof queueDownSchema>;
export type LabResults = z.infer<typeof resultsSchema>;
export type Machine = z.infer<typeof machineSchema>;
export type Versions = z.infer<typeof versionsSchema>;

export interface ScenarioResults {
  'dead-app': DeadAppResult;
  misalignment: MisalignmentResult;
  timestamps: TimestampsResult;
  scale: ScaleResult;
  'queue-down': QueueDownResult;
}

export class ResultsError extends Error {
  override readonly name = 'ResultsError';
}

/** Parses a results.json text; a bad file gets one message naming the file, the JSON path and the problem. */
export function parseResults(text: string, file = 'results.json'): LabResults {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new ResultsError(
      `${file}: ${where}: ${issue?.message ?? 'invalid'}${parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : ''}`,
    );
  }
  return parsed.data;
}
