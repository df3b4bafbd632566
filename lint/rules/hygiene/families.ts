/**
 * What the hygiene rules share: promlint (client_golang prometheus/testutil/promlint) judges whole metric
 * families; a streamed exposition gives lines. `eachFamily` calls back once per family, as soon as its metadata is
 * complete (at its first sample, as metadata must come first; or at the end for families without samples), with
 * its type, whether it has HELP, and where to point a finding: the family name of its TYPE line, else of its HELP
 * line, else its first sample's name. Memory: one small entry per family, never per series.
 */
import type {
  Format,
  LinePosition,
  MetadataEvent,
  MetricType,
  Range,
  SampleEvent,
} from '../../../exposition/types.js';
import type { RuleVisitor } from '../../types.js';

export interface FamilyInfo {
  readonly name: string;
  /** The TYPE, if the family has one. */
  readonly type: MetricType | undefined;
  readonly hasHelp: boolean;
  /** The first sample of the family, if it has any. */
  readonly firstSample: SampleEvent | undefined;
  /** The format, once known: at the end of input; while streaming, undefined. */
  readonly format: Format | undefined;
  readonly range: Range;
  readonly at: LinePosition;
}

interface Pending {
  type: MetricType | undefined;
  hasHelp: boolean;
  range: Range | undefined;
  at: LinePosition | undefined;
  typeRange: boolean;
}

/** Types that promlint treats as untyped (its checks of types and suffixes skip them). */
export function isUntyped(type: MetricType | undefined): boolean {
  return type === undefined || type === 'untyped' || type === 'unknown';
}

export function eachFamily(visit: (family: FamilyInfo) => void): Required<
  Pick<RuleVisitor, 'metadata' | 'sample' | 'expositionEnd'>
> & {
  typeOf(family: string): MetricType | undefined;
} {
  const pending = new Map<string, Pending>();
  const done = new Map<string, MetricType | undefined>();
  let last = '';

  const entry = (family: string): Pending => {
    let known = pending.get(family);
    if (known === undefined) {
      known = { type: undefined, hasHelp: false, range: undefined, at: undefined, typeRange: false };
      pending.set(family, known);
    }
    return known;
  };

  return {
    typeOf(family) {
      return done.get(family) ?? pending.get(family)?.type;
    },
    metadata(event: MetadataEvent) {
      if (done.has(event.family)) return;
      const known = entry(event.family);
      const at = { line: event.line, lineStart: event.lineStart };
      if (event.kind === 'help') {
        known.hasHelp = true;
        if (known.range === undefined) {
          known.range = event.familyRange;
          known.at = at;
        }
      } else if (event.kind === 'type') {
        known.type = event.type;
        if (!known.typeRange) {
          known.range = event.familyRange;
          known.at = at;
          known.typeRange = true;
        }
      }
    },
    sample(event: SampleEvent) {
      if (event.family === last) return;
      last = event.family;
      if (done.has(event.family)) return;
      const known = pending.get(event.family);
      pending.delete(event.family);
      done.set(event.family, known?.type);
      visit({
        name: event.family,
        type: known?.type,
        hasHelp: known?.hasHelp ?? false,
        firstSample: event,
        format: undefined,
        range: known?.range ?? event.nameRange,
        at: known?.at ?? event,
      });
    },
    expositionEnd(summary) {
      for (const [name, known] of pending) {
        if (known.range === undefined || known.at === undefined) continue;
        done.set(name, known.type);
        visit({
          name,
          type: known.type,
          hasHelp: known.hasHelp,
          firstSample: undefined,
          format: summary.format,
          range: known.range,
          at: known.at,
        });
      }
      pending.clear();
    },
  };
}
