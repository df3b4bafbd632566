/**
 * A compact set of series identities for duplicate detection: each series is a 64-bit hash (two 32-bit lanes)
 * in an open-addressing table of typed arrays, with where its first occurrence stood. About 32 bytes per slot,
 * never the series' text, so a million series cost tens of megabytes rather than hundreds.
 */

export interface FirstOccurrence {
  readonly line: number;
  readonly lineStart: number;
  readonly lineLength: number;
  /** NaN when the first occurrence had no explicit timestamp. */
  readonly timestampMs: number;
}

const INITIAL_CAPACITY = 1 << 10;

export class SeriesTable {
  #capacity = INITIAL_CAPACITY;
  #size = 0;
  #h1 = new Uint32Array(INITIAL_CAPACITY);
  #h2 = new Uint32Array(INITIAL_CAPACITY);
  #line = new Uint32Array(INITIAL_CAPACITY);
  #lineLength = new Uint32Array(INITIAL_CAPACITY);
  #lineStart = new Float64Array(INITIAL_CAPACITY);
  #timestamp = new Float64Array(INITIAL_CAPACITY);

  get size(): number {
    return this.#size;
  }

  /**
   * Adds a series; returns undefined when it is new, else where it first stood. `h2` 0 is reserved for empty
   * slots, so callers pass a non-zero second lane.
   */
  add(
    h1: number,
    h2: number,
    line: number,
    lineStart: number,
    lineLength: number,
    timestampMs: number,
  ): FirstOccurrence | undefined {
    if ((this.#size + 1) * 4 > this.#capacity * 3) this.#grow();
    const mask = this.#capacity - 1;
    let slot = h1 & mask;
    for (;;) {
      const k2 = this.#h2[slot] ?? 0;
      if (k2 === 0) break;
      if (k2 === h2 && this.#h1[slot] === h1) {
        return {
          line: this.#line[slot] ?? 0,
          lineStart: this.#lineStart[slot] ?? 0,
          lineLength: this.#lineLength[slot] ?? 0,
          timestampMs: this.#timestamp[slot] ?? Number.NaN,
        };
      }
      slot = (slot + 1) & mask;
    }
    this.#h1[slot] = h1;
    this.#h2[slot] = h2;
    this.#line[slot] = line;
    this.#lineStart[slot] = lineStart;
    this.#lineLength[slot] = Math.min(lineLength, 0xffffffff);
    this.#timestamp[slot] = timestampMs;
    this.#size++;
    return undefined;
  }

  #grow(): void {
    const old = {
      h1: this.#h1,
      h2: this.#h2,
      line: this.#line,
      lineLength: this.#lineLength,
      lineStart: this.#lineStart,
      timestamp: this.#timestamp,
    };
    const oldCapacity = this.#capacity;
    const capacity = oldCapacity * 2;
    this.#capacity = capacity;
    this.#h1 = new Uint32Array(capacity);
    this.#h2 = new Uint32Array(capacity);
    this.#line = new Uint32Array(capacity);
    this.#lineLength = new Uint32Array(capacity);
    this.#lineStart = new Float64Array(capacity);
    this.#timestamp = new Float64Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < oldCapacity; i++) {
      const h2 = old.h2[i] ?? 0;
      if (h2 === 0) continue;
      const h1 = old.h1[i] ?? 0;
      let slot = h1 & mask;
      while ((this.#h2[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      this.#h1[slot] = h1;
      this.#h2[slot] = h2;
      this.#line[slot] = old.line[i] ?? 0;
      this.#lineLength[slot] = old.lineLength[i] ?? 0;
      this.#lineStart[slot] = old.lineStart[i] ?? 0;
      this.#timestamp[slot] = old.timestamp[i] ?? Number.NaN;
    }
  }
}
