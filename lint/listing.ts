/**
 * The first few places of a kind of finding in a streamed exposition, listed one by one, and the rest counted for
 * one closing summary: what timestamped-samples and stale-timestamps do with their `maxReported` option. A place
 * that a suppression comment silences (`context.isSuppressed`) is listed and counted in a group of its own, so it
 * never takes the room of a place that is shown, and the shown group's summary counts only places that are shown.
 * The silenced group's findings and summary stand at silenced places: they end in `suppressedMessages`, and the
 * directives count as used. One lookup per place (the report that follows costs none); bounded state: two
 * counters and two places per group, whatever the input.
 */
import type { LinePosition, Range } from '../exposition/types.js';
import type { RuleContext } from './types.js';

/** The places of one group: shown, or silenced by a suppression comment. */
export interface ListingGroup<P extends LinePosition, D> {
  readonly suppressed: boolean;
  /** Places of the group so far, listed or not. */
  total: number;
  /** How many of them were listed (at most the listing's `max`). */
  listed: number;
  /** The first place of the group. */
  first: P | undefined;
  /** The first place that was not listed: where the group's summary points. */
  firstUnlisted: P | undefined;
  /** What the rule keeps about the group (e.g. the furthest value): fresh for each group. */
  readonly data: D;
}

/** What a closing summary says: `more` places were not listed, of `total`, the first of them at `first`. */
export interface ListingSummary<P extends LinePosition, D> {
  readonly first: P;
  readonly more: number;
  readonly total: number;
  /** The groups it sums up (both when merged): read their `data`. */
  readonly groups: readonly ListingGroup<P, D>[];
}

export interface Listing<P extends LinePosition, D> {
  /** The group of `place` (one suppression lookup); count it in with `take`. */
  groupOf(place: P): ListingGroup<P, D>;
  /** Counts `place` in `group`; true when it is among the first `max` of its group: report it one by one. */
  take(group: ListingGroup<P, D>, place: P): boolean;
  /**
   * At the end of input: one summary per group with places left unlisted (the shown group's first). When a
   * whole-file `disable` seen after the shown group's places silences them too (asked at its first place), both
   * groups are summed up as one, silenced: its counts then take in every place of the kind. From the moment such a
   * `disable` is seen, the silenced group lists only what room the shown group's listing left, so that at most
   * `max` places of the kind are listed in all.
   */
  summaries(): ListingSummary<P, D>[];
}

export interface ListingOptions<P extends LinePosition, D> {
  /** Places listed one by one per group. */
  readonly max: number;
  /** Where a report of the place points (its `at` is the place itself). */
  readonly range: (place: P) => Range;
  /** A group's fresh `data`. */
  readonly data: () => D;
}

export function createListing<P extends LinePosition, D>(
  context: Pick<RuleContext<unknown>, 'isSuppressed'>,
  { max, range, data }: ListingOptions<P, D>,
): Listing<P, D> {
  const group = (suppressed: boolean): ListingGroup<P, D> => ({
    suppressed,
    total: 0,
    listed: 0,
    first: undefined,
    firstUnlisted: undefined,
    data: data(),
  });
  const shown = group(false);
  const silenced = group(true);
  // Whether a whole-file `disable` seen after the shown group's first place silences that place too: then the
  // shown group's listed places end up silenced as well, and the two groups share one listing of `max`.
  let sharing = false;
  const shareWithShown = (): boolean => {
    if (!sharing && shown.listed > 0 && shown.first !== undefined)
      sharing = context.isSuppressed(range(shown.first), shown.first);
    return sharing;
  };
  const summary = (groups: ListingGroup<P, D>[]): ListingSummary<P, D>[] => {
    let first: P | undefined;
    let more = 0;
    let total = 0;
    for (const g of groups) {
      first ??= g.firstUnlisted;
      more += g.total - g.listed;
      total += g.total;
    }
    return first === undefined ? [] : [{ first, more, total, groups }];
  };
  return {
    groupOf: (place) => (context.isSuppressed(range(place), place) ? silenced : shown),
    take(into, place) {
      into.total++;
      into.first ??= place;
      const room = into.suppressed && shareWithShown() ? max - shown.listed : max;
      if (into.listed < room) {
        into.listed++;
        return true;
      }
      into.firstUnlisted ??= place;
      return false;
    },
    summaries() {
      const first = shown.first;
      if (first !== undefined && silenced.total > 0 && context.isSuppressed(range(first), first)) {
        return summary([shown, silenced]);
      }
      return [...summary([shown]), ...summary([silenced])];
    },
  };
}
