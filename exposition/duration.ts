/**
 * Prometheus durations (common/model ParseDuration): units y w d h m s ms, each at most once, largest first, e.g.
 * `1m30s`; `0` is allowed; no fractions, no spaces, no sign. Shared by the exposer's configuration and
 * scrapelint's rules, so it lives with the other Prometheus text formats.
 */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds, or undefined when the text is not a Prometheus duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  let total = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) total += Number(part) * (UNIT_MS[i] ?? 0);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest Prometheus spelling of a duration, e.g. 90000 -> `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const names = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let rest = ms;
  let out = '';
  for (let i = 0; i < UNIT_MS.length; i++) {
    const unit = UNIT_MS[i] ?? 1;
    const count = Math.floor(rest / unit);
    if (count > 0) {
      out += `${count}${names[i] ?? ''}`;
      rest -= count * unit;
    }
  }
  return out;
}
