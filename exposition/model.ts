/**
 * From parser events back to the renderer's model: groups samples by family, in order of first appearance.
 * Holds the whole exposition in memory: for tests, tools and small inputs, not for the streaming hot path.
 */
import type { FamilyModel, MetricType, ParseEvent, ParsedLabel, SampleModel } from './types.js';

interface MutableFamily {
  name: string;
  type: MetricType | undefined;
  help: string | undefined;
  unit: string | undefined;
  samples: SampleModel[];
}

function labelRecord(labels: readonly ParsedLabel[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const label of labels) record[label.name] = label.value;
  return record;
}

/** Families of parsed events; families without a TYPE get `untyped` (text) or `unknown` (OpenMetrics). */
export function collectFamilies(
  events: Iterable<ParseEvent>,
  format: 'text' | 'openmetrics' = 'text',
): FamilyModel[] {
  const families = new Map<string, MutableFamily>();
  const get = (name: string): MutableFamily => {
    let family = families.get(name);
    if (family === undefined) {
      family = { name, type: undefined, help: undefined, unit: undefined, samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const event of events) {
    if (event.kind === 'help') get(event.family).help = event.text;
    else if (event.kind === 'unit') get(event.family).unit = event.text;
    else if (event.kind === 'type') get(event.family).type = event.type;
    else if (event.kind === 'sample') {
      const sample: {
        name?: string;
        labels?: Record<string, string>;
        value: number;
        timestampMs?: number;
        exemplar?: NonNullable<SampleModel['exemplar']>;
      } = { name: event.name, value: event.value };
      if (event.labels.length > 0) sample.labels = labelRecord(event.labels);
      if (event.timestampMs !== undefined) sample.timestampMs = event.timestampMs;
      if (event.exemplar !== undefined) {
        const e = event.exemplar;
        sample.exemplar = {
          labels: labelRecord(e.labels),
          value: e.value,
          ...(e.timestampMs === undefined ? {} : { timestampMs: e.timestampMs }),
        };
      }
      get(event.family).samples.push(sample);
    }
  }
  const fallback: MetricType = format === 'openmetrics' ? 'unknown' : 'untyped';
  return [...families.values()].map((f) => ({
    name: f.name,
    type: f.type ?? fallback,
    ...(f.help === undefined ? {} : { help: f.help }),
    ...(f.unit === undefined ? {} : { unit: f.unit }),
    samples: f.samples,
  }));
}
