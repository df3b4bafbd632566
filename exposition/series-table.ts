/**
 * A compact set of series identities for duplicate detection: each series is a 64-bit hash (two 32-bit lanes)
 * in an open-addressing table, never the series' text. Slots hold the two lanes and an entry number side by
 * side (one cache line per probe); entries (line number, line start) are appended densely; explicit
 * timestamps, which are rare, live in a sparse map. About 34 bytes per series at a million series.
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

export class SeriesTable {
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  /** Per slot: h1, h2, entry + 1 (0 = empty). */
  #slots = new Uint32Array(INITIAL_CAPACITY * STRIDE);
  #line = new Uint32Array((INITIAL_CAPACITY * 3) >> 2);
  #lineStart = new Float64Array((INITIAL_CAPACITY * 3) >> 2);
  #lineLength = new Uint32Array((INITIAL_CAPACITY * 3) >> 2);
  readonly #timestamps = new Map<number, number>();

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
    const entries = (capacity * 3) >> 2;
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
