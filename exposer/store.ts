/**
 * The store: sources (one per job/instance) holding metric families, with Pushgateway semantics (replace, merge,
 * delete), consistency checks that cost O(message), limits, TTL and the three timestamp modes.
 *
 * Families are immutable once stored: a message builds new family objects and swaps them in. That is what makes a
 * scrape's snapshot consistent for free (it holds references to the families of one instant) and lets the store
 * keep each series' rendered prefix (`name{labels}`) across messages instead of rendering it per scrape.
 * Only drain mode has mutable state per series (its pending samples), which a snapshot takes synchronously.
 */
import {
  escapeLabelValue,
  isValidLabelName,
  isValidMetricName,
  renderSeriesPrefix,
} from '../exposition/index.js';
import type { MetricType } from '../exposition/types.js';
import { countRejection, type ExposerMetrics } from './metrics.js';
import type { LabelPairs, Op, PushFamily, PushMessage, PushSample, RejectReason } from './schema.js';

export type TimestampMode = 'none' | 'source' | 'drain';

export interface StoreOptions {
  maxSeries: number;
  maxSeriesPerSource: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxLabelsPerSeries: number;
  /** 0 = never expire. */
  sourceTtlMs: number;
  timestamps: TimestampMode;
  /** Drain mode: pending samples kept per series between scrapes; older ones are dropped and counted. */
  maxPendingSamplesPerSeries?: number;
}

export const DEFAULT_STORE_OPTIONS: StoreOptions = {
  maxSeries: 1_000_000,
  maxSeriesPerSource: 50_000,
  maxLabelNameLength: 128,
  maxLabelValueLength: 2048,
  maxLabelsPerSeries: 64,
  sourceTtlMs: 0,
  timestamps: 'none',
  maxPendingSamplesPerSeries: 100,
};

export interface ApplyMeta {
  /** The record's topic: with several topics, partition numbers repeat, and a revoked one names its topic. */
  topic?: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp; 0 or negative when unknown. */
  recordTimestampMs: number;
  nowMs: number;
}

export type ApplyResult =
  | { ok: true; op: Op; source: string; series: number; samples: number }
  | { ok: false; reason: RejectReason; detail: string };

export interface SourceInfo {
  /** `<job>/<instance>`. */
  readonly key: string;
  readonly job: string;
  readonly instance: string;
  readonly labels: LabelPairs;
  readonly series: number;
  readonly families: number;
  /** Record timestamp of the last applied record (clamped to the time it was applied). */
  readonly lastPushMs: number;
  readonly ageMs: number;
  /** Time left before the TTL drops the source; undefined without a TTL. */
  readonly expiresInMs?: number;
  readonly partition: number;
  readonly offset: string;
}

/** Pending samples of one series in drain mode; shared by the successive versions of the series. */
interface DrainBuffer {
  values: number[];
  timestamps: number[];
}

/**
 * The series of one source's family, packed: what stays the same from one push to the next (the rendered prefixes
 * and the series' identity) is built once and shared by the successive versions of the family.
 */
export interface Layout {
  readonly count: number;
  /** Every series' `name{label="value",...} ` (with job, instance and group labels, escaped, sorted) back to back. */
  readonly text: string;
  /** Series i's prefix and its trailing space are `text.slice(offsets[i], offsets[i + 1])`. */
  readonly offsets: Uint32Array;
  /**
   * The series as the message listed them: per series the index of its name, its label count and the indices of
   * each label's name and value, as variable-length character codes; the indices point into `strings`. Comparing a
   * message with this allocates nothing, which is what makes a push of an unchanged set of series cheap.
   */
  readonly shape: string;
  /**
   * The distinct names and label values of the family, copied out of the message (a string cut out of a record's
   * body would keep the whole body alive).
   */
  readonly strings: readonly string[];
}

/** One source's part of a family, immutable once stored. */
export interface StoredFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly unit: string | undefined;
  readonly layout: Layout;
  /** values[i] is series i's value. */
  readonly values: readonly number[];
  /** source and drain modes: series i's timestamp. */
  readonly timestamps: readonly number[] | undefined;
  /** drain mode: series i's pending samples. */
  readonly drain: readonly DrainBuffer[] | undefined;
}

/** How a message's samples are timed, and the newest sample time seen while storing them. */
interface Timing {
  readonly keep: boolean;
  readonly drain: boolean;
  readonly fallbackTs: number;
  newest: number | undefined;
}

interface Source {
  readonly key: string;
  readonly job: string;
  readonly instance: string;
  readonly labels: LabelPairs;
  /** Identity of job, instance and group labels: prefixes can be reused while it is unchanged. */
  readonly labelsKey: string;
  readonly families: Map<string, StoredFamily>;
  seriesCount: number;
  lastPushMs: number;
  newestSampleMs: number | undefined;
  topic: string | undefined;
  partition: number;
  offset: string;
}

interface NameEntry {
  type: MetricType;
  /** A name the exposer exposes itself (process_*, nodejs_*): its type is fixed. */
  pinned: boolean;
  /** Families of this name, by source key. Its size is the reference count of the type. */
  readonly bySource: Map<string, StoredFamily>;
}

/** What a scrape renders: the families of one instant, sorted by name. */
export interface Snapshot {
  readonly mode: TimestampMode;
  readonly families: readonly SnapshotFamily[];
  readonly nowMs: number;
}

export interface SnapshotFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help?: string;
  readonly unit?: string;
  /** none/source modes: the stored families of each source. */
  readonly parts: readonly StoredFamily[];
  /** drain mode: the samples taken from each series by this scrape. */
  readonly drained?: readonly DrainedSeries[];
}

export interface DrainedSeries {
  readonly prefix: string;
  readonly values: readonly number[];
  readonly timestamps: readonly number[];
}

class Refusal extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export class Store {
  private readonly options: StoreOptions;
  private readonly sourcesByKey = new Map<string, Source>();
  private readonly names = new Map<string, NameEntry>();
  private totalSeries = 0;

  constructor(
    options: StoreOptions,
    private readonly metrics?: ExposerMetrics,
  ) {
    this.options = { ...DEFAULT_STORE_OPTIONS, ...options };
    if (metrics !== undefined) {
      for (const metric of metrics.registry.getMetricsAsArray()) {
        const { name, type } = metric as unknown as { name: string; type: string };
        this.names.set(name, { type: type as MetricType, pinned: true, bySource: new Map() });
      }
    }
  }

  get mode(): TimestampMode {
    return this.options.timestamps;
  }

  get ttlMs(): number {
    return this.options.sourceTtlMs;
  }

  seriesCount(): number {
    return this.totalSeries;
  }

  sourceCount(): number {
    return this.sourcesByKey.size;
  }

  /** Applies one message. Never throws; a refused message leaves the store as it was. */
  apply(message: PushMessage, meta: ApplyMeta): ApplyResult {
    let result: ApplyResult;
    try {
      result = this.applyOrRefuse(message, meta);
    } catch (error) {
      if (!(error instanceof Refusal)) {
        result = {
          ok: false,
          reason: 'internal',
          detail: error instanceof Error ? error.message : String(error),
        };
      } else result = { ok: false, reason: error.reason, detail: error.detail };
    }
    if (!result.ok) countRejection(this.metrics, result.reason);
    else if (this.metrics !== undefined) {
      this.metrics.messages.inc({ result: 'applied' });
      this.metrics.samplesApplied.inc(result.samples);
      if (meta.recordTimestampMs > 0) {
        this.metrics.propagationDelay.observe(Math.max(0, meta.nowMs - meta.recordTimestampMs) / 1000);
      }
      this.updateGauges();
    }
    return result;
  }

  private applyOrRefuse(message: PushMessage, meta: ApplyMeta): ApplyResult {
    const key = `${message.job}/${message.instance}`;
    const old = this.sourcesByKey.get(key);
    if (message.op === 'delete') {
      if (old !== undefined) this.removeSource(old, 'delete');
      return { ok: true, op: 'delete', source: key, series: 0, samples: 0 };
    }
    const o = this.options;
    // Group labels: job, instance, then the message's labels; they go into every prefix.
    const group: (readonly [string, string])[] = [
      ['job', message.job],
      ['instance', message.instance],
      ...message.labels,
    ];
    for (const [name, value] of group) this.checkLabel(name, value, 'group labels');
    const labelsKey = pairsKey(group);
    const sameGroup = old !== undefined && old.labelsKey === labelsKey;
    const groupPieces = groupOf(group);

    const pushedMs = meta.recordTimestampMs > 0 ? Math.min(meta.recordTimestampMs, meta.nowMs) : meta.nowMs;
    // The record's timestamp is the producer's clock, which decode cannot check: never serve it ahead of now.
    const fallbackTs = message.timestampMs ?? pushedMs;
    const timing: Timing = {
      keep: o.timestamps !== 'none',
      drain: o.timestamps === 'drain',
      fallbackTs,
      newest: undefined,
    };

    const built = new Map<string, StoredFamily>();
    let newSeries = 0;
    let replacedSeries = 0;
    let samples = 0;
    for (const family of message.families) {
      const entry = this.names.get(family.name);
      const oldFamily = old?.families.get(family.name);
      if (oldFamily !== undefined) replacedSeries += oldFamily.layout.count;
      if (family.samples.length === 0) continue;
      if (entry !== undefined && entry.type !== family.type) {
        const others = entry.bySource.size - (entry.bySource.has(key) ? 1 : 0);
        if (entry.pinned || others > 0) {
          const where = entry.pinned
            ? "the exposer's own metric"
            : `source ${firstOtherKey(entry.bySource, key)}`;
          throw new Refusal(
            'type_conflict',
            `metric ${family.name} is a ${entry.type} in ${where}; this message says ${family.type}`,
          );
        }
      }
      // The usual push: the same series in the same order as last time. Only the values are new.
      const layout =
        sameGroup && oldFamily !== undefined && sameShape(oldFamily.layout, family.samples)
          ? oldFamily.layout
          : this.buildLayout(key, family, groupPieces);
      const next = storedFamily(family, layout, oldFamily, timing, group);
      newSeries += layout.count;
      samples += layout.count;
      built.set(family.name, next);
    }

    const oldCount = old?.seriesCount ?? 0;
    const sourceCount = message.op === 'replace' ? newSeries : oldCount - replacedSeries + newSeries;
    if (sourceCount > o.maxSeriesPerSource) {
      throw new Refusal(
        'limit_source_series',
        `source ${key} would hold ${sourceCount} series, the limit per source is ${o.maxSeriesPerSource}`,
      );
    }
    const total = this.totalSeries - oldCount + sourceCount;
    if (total > o.maxSeries && sourceCount > oldCount) {
      throw new Refusal(
        'limit_series',
        `the store would hold ${total} series, the limit is ${o.maxSeries} (source ${key} brings ${sourceCount})`,
      );
    }

    // Every check passed: commit. Nothing below throws.
    if (timing.drain) {
      // Pending samples are appended only now, so a refused message leaves no trace in them.
      const maxPending = o.maxPendingSamplesPerSeries ?? 100;
      let dropped = 0;
      for (const family of built.values()) dropped += appendPending(family, maxPending);
      if (dropped > 0) {
        this.metrics?.drainDropped.inc(dropped);
        this.metrics?.limitHits.inc({ limit: 'drain_buffer' }, dropped);
      }
    }
    let source = old;
    if (source === undefined || source.labelsKey !== labelsKey) {
      const families = new Map<string, StoredFamily>();
      if (source !== undefined && message.op === 'merge') {
        for (const [name, family] of source.families)
          if (!message.families.some((f) => f.name === name)) {
            families.set(name, relabel(family, group));
          }
      }
      if (source !== undefined) this.unindex(source);
      source = {
        key,
        job: message.job,
        instance: message.instance,
        labels: message.labels,
        labelsKey,
        families,
        seriesCount: 0,
        lastPushMs: pushedMs,
        newestSampleMs: undefined,
        topic: meta.topic,
        partition: meta.partition,
        offset: meta.offset,
      };
      for (const family of families.values()) this.index(source, family);
      this.sourcesByKey.set(key, source);
    } else if (message.op === 'replace') {
      for (const name of source.families.keys()) if (!built.has(name)) this.unindexFamily(source, name);
    }
    for (const family of message.families) {
      const next = built.get(family.name);
      if (next === undefined) this.unindexFamily(source, family.name);
      else this.index(source, next);
    }
    this.totalSeries += sourceCount - oldCount;
    source.seriesCount = sourceCount;
    source.lastPushMs = pushedMs;
    source.newestSampleMs = timing.newest ?? source.newestSampleMs;
    source.topic = meta.topic;
    source.partition = meta.partition;
    source.offset = meta.offset;
    this.metrics?.lastPush.set({ job: source.job, instance: source.instance }, pushedMs / 1000);
    return { ok: true, op: message.op, source: key, series: sourceCount, samples };
  }

  /** A family's series as new: checks their labels, renders their prefixes and records their shape. */
  private buildLayout(key: string, family: PushFamily, group: Group): Layout {
    const o = this.options;
    const strings = new StringTable();
    const count = family.samples.length;
    const offsets = new Uint32Array(count + 1);
    const parts: string[] = [];
    const codes: number[] = [];
    // The sample's own labels (not shadowed by a group label), sorted by name: their names and string indices.
    const ownNames: string[] = [];
    const ownIndices: number[] = [];
    let length = 0;
    for (let i = 0; i < count; i++) {
      const sample = family.samples[i]!;
      const nameIndex = strings.index(sample.name);
      pushVarint(codes, nameIndex);
      pushVarint(codes, sample.labels.length);
      let own = 0;
      for (const [name, value] of sample.labels) {
        const n = strings.index(name);
        const v = strings.index(value);
        pushVarint(codes, n);
        pushVarint(codes, v);
        if (isGroupName(name, group.pairs)) continue;
        this.checkLabel(name, value, `series ${sample.name}`);
        // Prometheus drops a label with an empty value when it ingests the sample: rendering it would make a{x="1",z=""}
        // and a{x="1"} two series here and one there (a duplicate it drops); it takes no part in the identity either.
        if (value === '') continue;
        // Insertion sort: a series has a handful of labels.
        let at = own++;
        while (at > 0 && ownNames[at - 1]! > name) {
          ownNames[at] = ownNames[at - 1]!;
          ownIndices[2 * at] = ownIndices[2 * at - 2]!;
          ownIndices[2 * at + 1] = ownIndices[2 * at - 1]!;
          at--;
        }
        ownNames[at] = name;
        ownIndices[2 * at] = n;
        ownIndices[2 * at + 1] = v;
      }
      if (own + group.pairs.length > o.maxLabelsPerSeries) {
        throw new Refusal(
          'limit_labels',
          `series ${sample.name} of ${key} has ${own + group.pairs.length} labels, the limit is ${o.maxLabelsPerSeries}`,
        );
      }
      offsets[i] = length;
      // What renderSeriesPrefix(name, sorted labels) writes, from pieces rendered once per family.
      const labelled = own + group.pairs.length > 0;
      let piece = strings.head(nameIndex, labelled);
      parts.push(piece);
      length += piece.length;
      let a = 0;
      let b = 0;
      while (a < own || b < group.pairs.length) {
        if (a + b > 0) {
          parts.push(',');
          length++;
        }
        if (b === group.pairs.length || (a < own && ownNames[a]! < group.pairs[b]![0])) {
          piece = strings.labelName(ownIndices[2 * a]!);
          parts.push(piece);
          length += piece.length;
          piece = strings.labelValue(ownIndices[2 * a + 1]!);
          parts.push(piece);
          length += piece.length + 1;
          parts.push('"');
          a++;
        } else {
          piece = group.pieces[b++]!;
          parts.push(piece);
          length += piece.length;
        }
      }
      if (labelled) {
        parts.push('} ');
        length += 2;
      } else {
        parts.push(' ');
        length += 1;
      }
    }
    offsets[count] = length;
    const text = parts.join('');
    // The rendered prefix is the series' identity (name and sorted labels, escaped): a repeat is a duplicate.
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const prefix = text.slice(offsets[i], offsets[i + 1]);
      if (seen.has(prefix)) {
        const sample = family.samples[i]!;
        const own = sample.labels.filter(([name]) => !isGroupName(name, group.pairs)).sort(byName);
        throw new Refusal(
          'duplicate_series',
          `series ${sample.name}{${own.map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',')}} appears twice in the message`,
        );
      }
      seen.add(prefix);
    }
    return { count, text, offsets, shape: fromCodes(codes), strings: strings.finish() };
  }

  private checkLabel(name: string, value: string, where: string): void {
    const o = this.options;
    if (name.length > o.maxLabelNameLength) {
      throw new Refusal(
        'limit_label_length',
        `${where}: label name ${name.slice(0, 40)}… is ${name.length} characters, the limit is ${o.maxLabelNameLength}`,
      );
    }
    if (value.length > o.maxLabelValueLength) {
      throw new Refusal(
        'limit_label_length',
        `${where}: value of label ${name} is ${value.length} characters, the limit is ${o.maxLabelValueLength}`,
      );
    }
  }

  private index(source: Source, family: StoredFamily): void {
    source.families.set(family.name, family);
    let entry = this.names.get(family.name);
    if (entry === undefined) {
      entry = { type: family.type, pinned: false, bySource: new Map() };
      this.names.set(family.name, entry);
    }
    entry.type = family.type;
    entry.bySource.set(source.key, family);
  }

  private unindexFamily(source: Source, name: string): void {
    source.families.delete(name);
    const entry = this.names.get(name);
    if (entry === undefined) return;
    entry.bySource.delete(source.key);
    if (entry.bySource.size === 0 && !entry.pinned) this.names.delete(name);
  }

  private unindex(source: Source): void {
    for (const name of [...source.families.keys()]) this.unindexFamily(source, name);
  }

  private removeSource(source: Source, reason: 'delete' | 'ttl' | 'revoked'): void {
    this.unindex(source);
    this.sourcesByKey.delete(source.key);
    this.totalSeries -= source.seriesCount;
    if (this.metrics !== undefined) {
      this.metrics.lastPush.remove({ job: source.job, instance: source.instance });
      this.metrics.sourcesRemoved.inc({ reason });
    }
  }

  private updateGauges(): void {
    this.metrics?.series.set(this.totalSeries);
    this.metrics?.sources.set(this.sourcesByKey.size);
  }

  /**
   * Drops the sources last written from a revoked partition (of `topic`, when given: with several topics partition
   * numbers repeat, and another topic's partition stays); returns how many.
   */
  dropPartition(partition: number, topic?: string): number {
    let n = 0;
    for (const source of [...this.sourcesByKey.values()]) {
      if (source.partition === partition && (topic === undefined || source.topic === topic)) {
        this.removeSource(source, 'revoked');
        n++;
      }
    }
    if (n > 0) this.updateGauges();
    return n;
  }

  /** Drops the sources not pushed within the TTL (none without a TTL); returns how many. */
  expire(nowMs: number): number {
    const ttl = this.options.sourceTtlMs;
    if (ttl <= 0) return 0;
    let n = 0;
    for (const source of [...this.sourcesByKey.values()]) {
      if (nowMs - source.lastPushMs > ttl) {
        this.removeSource(source, 'ttl');
        n++;
      }
    }
    if (n > 0) this.updateGauges();
    return n;
  }

  sources(nowMs: number): SourceInfo[] {
    const ttl = this.options.sourceTtlMs;
    return [...this.sourcesByKey.values()].map((s) => ({
      key: s.key,
      job: s.job,
      instance: s.instance,
      labels: s.labels,
      series: s.seriesCount,
      families: s.families.size,
      lastPushMs: s.lastPushMs,
      ageMs: Math.max(0, nowMs - s.lastPushMs),
      ...(ttl > 0 ? { expiresInMs: Math.max(0, s.lastPushMs + ttl - nowMs) } : {}),
      partition: s.partition,
      offset: s.offset,
    }));
  }

  /**
   * The families of this instant, for one scrape. Expires sources first. In drain mode this takes every pending
   * sample (so each sample goes to exactly one scrape); `drain: false` shows them without taking them.
   */
  snapshot(nowMs: number, options: { drain?: boolean } = {}): Snapshot {
    this.expire(nowMs);
    const drain = this.options.timestamps === 'drain';
    const take = options.drain !== false;
    const names = [...this.names.keys()].sort();
    const families: SnapshotFamily[] = [];
    for (const name of names) {
      const entry = this.names.get(name);
      if (entry === undefined || entry.bySource.size === 0) continue;
      const parts = [...entry.bySource.values()];
      const first = parts[0]!;
      const meta = {
        name,
        type: entry.type,
        ...(first.help === undefined ? {} : { help: first.help }),
        ...(first.unit === undefined ? {} : { unit: first.unit }),
      };
      if (!drain) {
        families.push({ ...meta, parts });
        continue;
      }
      const drained: DrainedSeries[] = [];
      for (const part of parts) {
        const { text, offsets, count } = part.layout;
        for (let i = 0; i < count; i++) {
          const buffer = part.drain?.[i];
          if (buffer === undefined || buffer.values.length === 0) continue;
          // The prefix without its trailing space.
          const prefix = text.slice(offsets[i], offsets[i + 1]! - 1);
          if (take) {
            drained.push({ prefix, values: buffer.values, timestamps: buffer.timestamps });
            buffer.values = [];
            buffer.timestamps = [];
          } else {
            drained.push({ prefix, values: [...buffer.values], timestamps: [...buffer.timestamps] });
          }
        }
      }
      if (drained.length > 0) families.push({ ...meta, parts: [], drained });
    }
    if (this.metrics !== undefined) {
      for (const s of this.sourcesByKey.values()) {
        const dataMs = s.newestSampleMs ?? s.lastPushMs;
        this.metrics.sampleAge.observe(Math.max(0, nowMs - dataMs) / 1000);
      }
    }
    return { mode: this.options.timestamps, families, nowMs };
  }
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Strings built with `+=` or template pieces are kept by V8 as trees of the pieces (a cons string per `+`); reading
 * a character from one flattens it into one contiguous string. For a string held as long as its series that saves
 * far more than it costs: a 120-character string of 60 pieces takes 155 bytes flat and 1.6 KB as a tree (Node 20;
 * `Number(text)`, pino's `flatstr` trick, no longer flattens).
 */
function flatten(text: string): string {
  text.charCodeAt(0); // the read itself is the point
  return text;
}

/**
 * A copy of a string that does not keep its parent alive: a name or HELP text cut out of a record's body would
 * otherwise hold the whole body in memory for as long as the family is stored.
 */
function detach(text: string): string {
  return text.length < 13 ? text : flatten(` ${text}`).slice(1);
}

/** An unambiguous key for a label list (NUL cannot be confused with label text boundaries after escaping). */
function pairsKey(pairs: LabelPairs): string {
  let key = '';
  for (const [name, value] of pairs) key += `${name}\u0000${value.length}\u0000${value}\u0000`;
  return key;
}

function isGroupName(name: string, group: LabelPairs): boolean {
  for (const pair of group) if (pair[0] === name) return true;
  return false;
}

function firstOtherKey(bySource: Map<string, StoredFamily>, key: string): string {
  for (const k of bySource.keys()) if (k !== key) return k;
  return key;
}

/** Reads a layout's shape. */
class ShapeReader {
  private pos = 0;

  constructor(private readonly layout: Layout) {}

  /** The next number, or -1 past the end. */
  next(): number {
    const shape = this.layout.shape;
    let n = 0;
    let scale = 1;
    while (this.pos < shape.length) {
      const c = shape.charCodeAt(this.pos++);
      n += (c & 0x7f) * scale;
      if (c < 0x80) return n;
      scale *= 0x80;
    }
    return -1;
  }

  /** Whether the next string index refers to `text`. */
  is(text: string): boolean {
    return this.layout.strings[this.next()] === text;
  }

  string(): string {
    return this.layout.strings[this.next()] ?? '';
  }
}

/** Whether the samples are the layout's series, in its order (same names, same labels in the same order). */
function sameShape(layout: Layout, samples: readonly PushSample[]): boolean {
  if (layout.count !== samples.length) return false;
  const reader = new ShapeReader(layout);
  for (const sample of samples) {
    if (!reader.is(sample.name)) return false;
    const labels = sample.labels;
    if (reader.next() !== labels.length) return false;
    for (const [name, value] of labels) if (!reader.is(name) || !reader.is(value)) return false;
  }
  return true;
}

/** The series of a layout as the message gave them. */
function seriesOf(layout: Layout): { name: string; labels: [string, string][] }[] {
  const reader = new ShapeReader(layout);
  const out: { name: string; labels: [string, string][] }[] = [];
  for (let i = 0; i < layout.count; i++) {
    const name = reader.string();
    const labels: [string, string][] = [];
    for (let n = reader.next(); n > 0; n--) labels.push([reader.string(), reader.string()]);
    out.push({ name, labels });
  }
  return out;
}

/** The distinct strings of one family's series, interned while its layout is built, with their rendered forms. */
class StringTable {
  private readonly indices = new Map<string, number>();
  private readonly strings: string[] = [];
  private readonly heads: (string | undefined)[] = [];
  private readonly names: (string | undefined)[] = [];
  private readonly values: (string | undefined)[] = [];

  index(s: string): number {
    let i = this.indices.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.indices.set(s, i);
      this.strings.push(s);
    }
    return i;
  }

  /** `name{` (or `{"name",` for a name that must be quoted), or the bare name of a series without labels. */
  head(i: number, labelled: boolean): string {
    const name = this.strings[i]!;
    if (!labelled) return renderSeriesPrefix(name, []);
    let head = this.heads[i];
    if (head === undefined) {
      head = isValidMetricName(name) ? `${name}{` : `{"${escapeLabelValue(name)}",`;
      this.heads[i] = head;
    }
    return head;
  }

  /** `name="` */
  labelName(i: number): string {
    let piece = this.names[i];
    if (piece === undefined) {
      piece = `${renderLabelName(this.strings[i]!)}="`;
      this.names[i] = piece;
    }
    return piece;
  }

  /** The escaped value. */
  labelValue(i: number): string {
    let piece = this.values[i];
    if (piece === undefined) {
      piece = escapeLabelValue(this.strings[i]!);
      this.values[i] = piece;
    }
    return piece;
  }

  /** Copies of the strings that share one allocation and refer to nothing else. */
  finish(): string[] {
    const all = this.strings.join('');
    const copies: string[] = [];
    let at = 0;
    for (const s of this.strings) {
      copies.push(all.slice(at, at + s.length));
      at += s.length;
    }
    return copies;
  }
}

function renderLabelName(name: string): string {
  return isValidLabelName(name) ? name : `"${escapeLabelValue(name)}"`;
}

/** The group labels of a message, sorted by name, each rendered as `name="value"`. */
interface Group {
  readonly pairs: LabelPairs;
  readonly pieces: readonly string[];
}

function groupOf(pairs: LabelPairs): Group {
  const sorted = [...pairs].sort(byName);
  return {
    pairs: sorted,
    pieces: sorted.map(([name, value]) => `${renderLabelName(name)}="${escapeLabelValue(value)}"`),
  };
}

function pushVarint(codes: number[], n: number): void {
  while (n >= 0x80) {
    codes.push(0x80 | (n & 0x7f));
    n = Math.floor(n / 0x80);
  }
  codes.push(n);
}

/** Character codes 0-255 as one flat one-byte string. */
function fromCodes(codes: readonly number[]): string {
  const step = 8192;
  if (codes.length <= step) return String.fromCharCode(...codes);
  const pieces: string[] = [];
  for (let i = 0; i < codes.length; i += step) pieces.push(String.fromCharCode(...codes.slice(i, i + step)));
  return pieces.join('');
}

/** A family version: the layout (new or shared with the previous version) with this message's values. */
function storedFamily(
  family: PushFamily,
  layout: Layout,
  old: StoredFamily | undefined,
  timing: Timing,
  group: LabelPairs,
): StoredFamily {
  const samples = family.samples;
  const values: number[] = [];
  for (const sample of samples) values.push(sample.value);
  let timestamps: number[] | undefined;
  if (timing.keep) {
    timestamps = [];
    for (const sample of samples) {
      const ts = sample.timestampMs ?? timing.fallbackTs;
      timestamps.push(ts);
      if (timing.newest === undefined || ts > timing.newest) timing.newest = ts;
    }
  }
  let drain: readonly DrainBuffer[] | undefined;
  if (timing.drain) {
    // The same layout is the same series in the same order: they keep their buffers.
    drain = old?.drain !== undefined && old.layout === layout ? old.drain : carryDrain(old, layout, group);
  }
  return {
    name: old?.name ?? detach(family.name),
    type: family.type,
    help: old !== undefined && old.help === family.help ? old.help : detachOptional(family.help),
    unit: old !== undefined && old.unit === family.unit ? old.unit : detachOptional(family.unit),
    layout,
    values,
    timestamps,
    drain,
  };
}

function detachOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : detach(text);
}

/** Drain mode, series changed: each series keeps the pending samples it had under the previous layout. */
function carryDrain(old: StoredFamily | undefined, layout: Layout, group: LabelPairs): DrainBuffer[] {
  const identity = (series: { name: string; labels: LabelPairs }): string =>
    `${series.name}\u0000${pairsKey(series.labels.filter(([n]) => !isGroupName(n, group)).sort(byName))}`;
  const previous = new Map<string, DrainBuffer>();
  if (old?.drain !== undefined) {
    const oldSeries = seriesOf(old.layout);
    for (let i = 0; i < oldSeries.length; i++) previous.set(identity(oldSeries[i]!), old.drain[i]!);
  }
  return seriesOf(layout).map((s) => previous.get(identity(s)) ?? { values: [], timestamps: [] });
}

/** Drain mode: appends the family's values to its series' pending samples; returns how many old ones were dropped. */
function appendPending(family: StoredFamily, maxPending: number): number {
  const { drain, values, timestamps } = family;
  if (drain === undefined || timestamps === undefined) return 0;
  let dropped = 0;
  for (let i = 0; i < drain.length; i++) {
    const buffer = drain[i]!;
    if (buffer.values.length >= maxPending) {
      const excess = buffer.values.length - maxPending + 1;
      buffer.values.splice(0, excess);
      buffer.timestamps.splice(0, excess);
      dropped += excess;
    }
    buffer.values.push(values[i]!);
    buffer.timestamps.push(timestamps[i]!);
  }
  return dropped;
}

/** Renders `name{a="1",job="x",...}` from the series' own labels and the group labels, sorted by label name. */
export function renderPrefix(name: string, own: LabelPairs, group: LabelPairs): string {
  return renderSeriesPrefix(name, [...own, ...group].sort(byName));
}

/** Re-renders a family's prefixes for changed group labels (merge with new labels). */
function relabel(family: StoredFamily, group: LabelPairs): StoredFamily {
  const { layout } = family;
  const offsets = new Uint32Array(layout.count + 1);
  let text = '';
  seriesOf(layout).forEach((series, i) => {
    offsets[i] = text.length;
    const own = series.labels.filter(([n]) => !isGroupName(n, group));
    text += `${renderPrefix(series.name, own, group)} `;
  });
  offsets[layout.count] = text.length;
  return { ...family, layout: { ...layout, text: flatten(text), offsets } };
}
