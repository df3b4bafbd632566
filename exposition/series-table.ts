/**
 * A compact set of series identities for duplicate detection: each series is a 64-bit hash (two 32-bit lanes)
 * in an open-addressing table, never the series' text. Slots hold the two lanes and an entry number side by
 * side (one cache line per probe); entries (line number, line start) are appended densely; explicit
 * timestamps, which are rare, live in a sparse map. About 34 bytes per series at a million series.
 *
 * Given the number of series to expect (from the input's size), the slots are allocated once at their final size:
 * growing rehashes every series with one cache miss each, 7 % of the parser's time on a 95 MB file. Entries grow
 * on their own (a sequential copy), so a wrong guess costs only empty slots, at most MAX_PRESIZED_CAPACITY.
 */

export interface FirstOccurrence {
  readonly line: number;
  readonly lineStart: number;
  readonly lineLength: number;
  /** NaN when the first occurrence had no explicit timestamp. */
  readonly timestampMs: number;
}

const INITIAL_CAPACITY = 1 << 10;
const STRIDE = 3;
/** The most slots allocated up front: 48 MiB, room for 3.1 million series. Beyond, the table grows as before. */
export const MAX_PRESIZED_CAPACITY = 1 << 22;

/** The smallest power-of-two capacity that holds `series` within the 3/4 load factor, within the limits above. */
export function capacityFor(series: number): number {
  let capacity = INITIAL_CAPACITY;
  while (capacity < MAX_PRESIZED_CAPACITY && series * 4 > capacity * 3) capacity *= 2;
  return capacity;
}

export class SeriesTable {
  #capacity: number;
  #size = 0;
  /** Per slot: h1, h2, entry + 1 (0 = empty). */
  #slots: Uint32Array;
  #line = new Uint32Array(INITIAL_CAPACITY);
  #lineStart = new Float64Array(INITIAL_CAPACITY);
  #lineLength = new Uint32Array(INITIAL_CAPACITY);
  readonly #timestamps = new Map<number, number>();

  /** `expectedSeries`: how many series to make room for at once (a guess; 0 = start small and grow). */
  constructor(expectedSeries = 0) {
    this.#capacity = capacityFor(expectedSeries);
    this.#slots = new Uint32Array(this.#capacity * STRIDE);
  }

  /** Slots allocated (for tests and the benchmark). */
  get capacity(): number {
    return this.#capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds a series; returns undefined when it is new, else where it first stood. */
  add(
    h1: number,
    h2: number,
    line: number,
    lineStart: number,
    lineLength: number,
    timestampMs: number,
  ): FirstOccurrence | undefined {
    if ((this.#size + 1) * 4 > this.#capacity * 3) this.#grow();
    const slots = this.#slots;
    const mask = this.#capacity - 1;
    let slot = (h1 ^ (h2 >>> 11)) & mask;
    for (;;) {
      const at = slot * STRIDE;
      const entry = slots[at + 2] ?? 0;
      if (entry === 0) {
        const index = this.#size++;
        if (index === this.#line.length) this.#growEntries();
        slots[at] = h1;
        slots[at + 1] = h2;
        slots[at + 2] = index + 1;
        this.#line[index] = line;
        this.#lineStart[index] = lineStart;
        this.#lineLength[index] = Math.min(lineLength, 0xffffffff);
        if (!Number.isNaN(timestampMs)) this.#timestamps.set(index, timestampMs);
        return undefined;
      }
      if (slots[at] === h1 && slots[at + 1] === h2) {
        const index = entry - 1;
        return {
          line: this.#line[index] ?? 0,
          lineStart: this.#lineStart[index] ?? 0,
          lineLength: this.#lineLength[index] ?? 0,
          timestampMs: this.#timestamps.get(index) ?? Number.NaN,
        };
      }
      slot = (slot + 1) & mask;
    }
  }

  #grow(): void {
    const old = this.#slots;
    const oldCapacity = this.#capacity;
    const capacity = oldCapacity * 2;
    const slots = new Uint32Array(capacity * STRIDE);
    const mask = capacity - 1;
    for (let i = 0; i < oldCapacity; i++) {
      const at = i * STRIDE;
      const entry = old[at + 2] ?? 0;
      if (entry === 0) continue;
      const h1 = old[at] ?? 0;
      const h2 = old[at + 1] ?? 0;
      let slot = (h1 ^ (h2 >>> 11)) & mask;
      while ((slots[slot * STRIDE + 2] ?? 0) !== 0) slot = (slot + 1) & mask;
      const to = slot * STRIDE;
      slots[to] = h1;
      slots[to + 1] = h2;
      slots[to + 2] = entry;
    }
    this.#slots = slots;
    this.#capacity = capacity;
  }

  #growEntries(): void {
    const entries = this.#line.length * 2;
    const line = new Uint32Array(entries);
    line.set(this.#line);
    this.#line = line;
    const lineStart = new Float64Array(entries);
    lineStart.set(this.#lineStart);
    this.#lineStart = lineStart;
    const lineLength = new Uint32Array(entries);
    lineLength.set(this.#lineLength);
    this.#lineLength = lineLength;
  }
}
