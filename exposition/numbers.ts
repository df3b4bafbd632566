/**
 * Number grammars of both formats, scanned from char codes without building a string on the common path.
 *
 * value (both formats): `[+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?`, or `[+-]?(inf|infinity)`
 * or `nan` in any case (Go's ParseFloat as promtool calls it, and the OpenMetrics ABNF agree on this set; hex
 * floats and `_` are refused). Out-of-range values (`1e400`) are refused, as Go reports a range error.
 * text timestamp: Go's ParseInt base 10: `[+-]? digits`, within int64.
 * OpenMetrics timestamp: a realnumber of seconds (no inf/nan), returned in milliseconds computed from the
 * decimal text, so `1520879607.789` gives exactly 1520879607789.
 */

const INT64_MAX = '9223372036854775807';
const INT64_MIN_ABS = '9223372036854775808';

/** Parses a sample value; undefined when the token is not a valid number. */
export function scanValue(s: string, a: number, b: number): number | undefined {
  if (a >= b) return undefined;
  let i = a;
  let c = s.charCodeAt(i);
  // Fast path: plain non-negative integers of up to 15 digits.
  if (c >= 48 && c <= 57 && b - a <= 15) {
    let v = 0;
    while (i < b) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      i++;
    }
    if (i === b) return v;
    i = a;
    c = s.charCodeAt(i);
  }
  let signed = false;
  if (c === 43 || c === 45) {
    signed = true;
    i++;
    if (i >= b) return undefined;
    c = s.charCodeAt(i);
  }
  if ((c | 0x20) === 105 || (c | 0x20) === 110) {
    const word = s.slice(i, b).toLowerCase();
    if (word === 'inf' || word === 'infinity') return s.charCodeAt(a) === 45 ? -Infinity : Infinity;
    if (word === 'nan' && !signed) return Number.NaN;
    return undefined;
  }
  if (!scanRealNumber(s, i, b)) return undefined;
  const v = Number(s.slice(a, b));
  return Number.isFinite(v) ? v : undefined;
}

/** Whether [i, b) (sign already consumed) is `digits [. digits*] | . digits` with an optional exponent. */
function scanRealNumber(s: string, i: number, b: number): boolean {
  let digits = 0;
  let c: number;
  while (i < b && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
    i++;
    digits++;
  }
  if (i < b && s.charCodeAt(i) === 46) {
    i++;
    while (i < b && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (i < b && (s.charCodeAt(i) | 0x20) === 101) {
    i++;
    if (i < b && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let expDigits = 0;
    while (i < b && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      i++;
      expDigits++;
    }
    if (expDigits === 0) return false;
  }
  return i === b;
}

/** text 0.0.4 timestamp: integer milliseconds within int64; undefined when invalid. */
export function scanIntTimestamp(s: string, a: number, b: number): number | undefined {
  let i = a;
  let negative = false;
  if (i < b && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) {
    negative = s.charCodeAt(i) === 45;
    i++;
  }
  if (i >= b) return undefined;
  const digitsStart = i;
  let v = 0;
  for (; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  let first = digitsStart;
  while (first < b - 1 && s.charCodeAt(first) === 48) first++;
  const length = b - first;
  if (length > 19) return undefined;
  if (length === 19) {
    const digits = s.slice(first, b);
    if (digits > (negative ? INT64_MIN_ABS : INT64_MAX)) return undefined;
  }
  if (b - digitsStart > 15) v = Number(s.slice(digitsStart, b));
  return negative ? -v : v;
}

/** OpenMetrics timestamp: a realnumber of seconds, returned in milliseconds; undefined when invalid. */
export function scanSecondsTimestamp(s: string, a: number, b: number): number | undefined {
  let i = a;
  if (i < b && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
  if (i >= b || !scanRealNumber(s, i, b)) return undefined;
  const token = s.slice(a, b);
  let e = token.indexOf('e');
  if (e === -1) e = token.indexOf('E');
  const ms =
    e === -1 ? Number(`${token}e3`) : Number(`${token.slice(0, e)}e${Number(token.slice(e + 1)) + 3}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Exact powers of ten (a double holds every one up to 1e22). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The value of a plain decimal `digits[.digits]` (or `.digits`) of at most 15 digits, else undefined (the caller
 * then asks scanValue). Most sample values and `le` bounds are such decimals, and Number() on a slice costs a
 * string and a general conversion. Exact: the digits make an integer below 2^53 and the scale is an exact power
 * of ten, so one IEEE division gives the correctly rounded value, as Number() does (Clinger's fast path).
 */
export function plainDecimal(s: string, a: number, b: number): number | undefined {
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point === -1) {
      point = i;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > 15) return undefined;
  return point === -1 ? m : m / (POW10[b - point - 1] ?? 1);
}

/** Whether a label value is a valid float (`le`, `quantile`): scanValue's verdict, with the usual forms first. */
export function isFloat(text: string): boolean {
  return (
    text === '+Inf' ||
    plainDecimal(text, 0, text.length) !== undefined ||
    scanValue(text, 0, text.length) !== undefined
  );
}
