/** Units as promlint knows them (client_golang prometheus/testutil/promlint/validations/units.go). */

/** A unit and the base unit it should be expressed in. */
export const UNITS: ReadonlyMap<string, string> = new Map([
  ['amperes', 'amperes'],
  ['bytes', 'bytes'],
  ['celsius', 'celsius'],
  ['grams', 'grams'],
  ['joules', 'joules'],
  ['kelvin', 'kelvin'],
  ['meters', 'meters'],
  ['metres', 'metres'],
  ['seconds', 'seconds'],
  ['volts', 'volts'],
  ['minutes', 'seconds'],
  ['hours', 'seconds'],
  ['days', 'seconds'],
  ['weeks', 'seconds'],
  ['kelvins', 'kelvin'],
  ['fahrenheit', 'celsius'],
  ['rankine', 'celsius'],
  ['inches', 'meters'],
  ['yards', 'meters'],
  ['miles', 'meters'],
  ['bits', 'bytes'],
  ['calories', 'joules'],
  ['pounds', 'grams'],
  ['ounces', 'grams'],
]);

export const UNIT_PREFIXES: readonly string[] = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];

/** Abbreviations promlint discourages, matched as whole `_`-separated words. */
export const UNIT_ABBREVIATIONS: readonly string[] = [
  's',
  'ms',
  'us',
  'ns',
  'sec',
  'b',
  'kb',
  'mb',
  'gb',
  'tb',
  'pb',
  'm',
  'h',
  'd',
];

/** The first known unit among the name's `_`-separated words (with an optional prefix), and its base. */
export function metricUnit(name: string): { unit: string; base: string } | undefined {
  for (const word of name.split('_')) {
    const base = UNITS.get(word);
    if (base !== undefined) return { unit: word, base };
    for (const prefix of UNIT_PREFIXES) {
      if (!word.startsWith(prefix)) continue;
      const prefixed = UNITS.get(word.slice(prefix.length));
      if (prefixed !== undefined) return { unit: word, base: prefixed };
    }
  }
  return undefined;
}
