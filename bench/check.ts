/**
 * Is a scraped body complete and consistent? Complete: it parses without a diagnostic and holds exactly the
 * expected number of the fleet's series (`app_*` with the fleet's job). Consistent: each source's histogram was
 * taken from one push — per source and route, `_count` equals the `+Inf` bucket and the buckets never decrease —
 * which fails when a scrape mixes two versions of a source.
 */
import { ExpositionParser } from '../exposition/index.js';

export interface ScrapeCheck {
  readonly series: number;
  readonly sources: number;
  readonly diagnostics: number;
  /** Routes whose `_count` differs from their `+Inf` bucket or whose buckets decrease. */
  readonly inconsistent: number;
  readonly complete: boolean;
  readonly consistent: boolean;
  /** The first problem, for the report. */
  readonly problem?: string;
}

interface RouteState {
  count?: number;
  inf?: number;
  buckets: [number, number][];
}

export function checkScrape(body: string, job: string, expectedSeries: number): ScrapeCheck {
  let series = 0;
  let diagnostics = 0;
  let problem: string | undefined;
  const sources = new Set<string>();
  const routes = new Map<string, RouteState>();
  const parser = new ExpositionParser({ format: 'text', trackDuplicates: false }, (event) => {
    if (event.kind === 'diagnostic') {
      diagnostics++;
      problem ??= `line ${event.line}: ${event.message}`;
      return;
    }
    if (event.kind !== 'sample' || !event.name.startsWith('app_')) return;
    let sampleJob: string | undefined;
    let instance = '';
    let route = '';
    let le: string | undefined;
    for (const label of event.labels) {
      if (label.name === 'job') sampleJob = label.value;
      else if (label.name === 'instance') instance = label.value;
      else if (label.name === 'route') route = label.value;
      else if (label.name === 'le') le = label.value;
    }
    if (sampleJob !== job) return;
    series++;
    sources.add(instance);
    if (!event.name.startsWith('app_request_duration_seconds_')) return;
    const key = `${instance}\u0000${route}`;
    let state = routes.get(key);
    if (state === undefined) {
      state = { buckets: [] };
      routes.set(key, state);
    }
    if (event.name.endsWith('_count')) state.count = event.value;
    else if (event.name.endsWith('_bucket') && le !== undefined) {
      if (le === '+Inf') state.inf = event.value;
      state.buckets.push([le === '+Inf' ? Infinity : Number(le), event.value]);
    }
  });
  parser.write(body);
  parser.end();
  let inconsistent = 0;
  for (const [key, state] of routes) {
    const sorted = [...state.buckets].sort((a, b) => a[0] - b[0]);
    const decreasing = sorted.some((b, i) => i > 0 && b[1] < sorted[i - 1]![1]);
    if (state.count === undefined || state.inf === undefined || state.count !== state.inf || decreasing) {
      inconsistent++;
      problem ??= `${key.replace('\u0000', ' route ')}: _count ${state.count} vs +Inf bucket ${state.inf}${decreasing ? ', buckets decrease' : ''}`;
    }
  }
  if (series !== expectedSeries) problem ??= `${series} series of job ${job}, expected ${expectedSeries}`;
  return {
    series,
    sources: sources.size,
    diagnostics,
    inconsistent,
    complete: diagnostics === 0 && series === expectedSeries,
    consistent: inconsistent === 0,
    ...(problem === undefined ? {} : { problem }),
  };
}
