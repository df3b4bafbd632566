/**
 * Messages name characters that print as nothing (a byte order mark, a zero-width space, a control) by code
 * point, and a `# TYPE` line that ends with \r\n says so: found linting files written on Windows or pasted from
 * documents, where the message otherwise quoted an invisible character or a word that looked right.
 */
import { describe, expect, it } from 'vitest';
import { parseText } from './index.js';
import type { Format } from './types.js';

function diagnostics(
  body: string,
  format: Format = 'text',
): { code: string; line: number; message: string }[] {
  return parseText(body, { format }).events.flatMap((e) =>
    e.kind === 'diagnostic' ? [{ code: e.code, line: e.line, message: e.message }] : [],
  );
}

describe('invisible characters in messages', () => {
  it('a byte order mark before the first line is named, with what to do', () => {
    const [first] = diagnostics('\uFEFF# HELP app_up Whether.\n# TYPE app_up gauge\napp_up 1\n');
    expect(first).toEqual({
      code: 'invalid-metric-name',
      line: 1,
      message:
        'invalid metric name: unexpected U+FEFF, a byte order mark (save the file as UTF-8 without one)',
    });
  });

  it('a zero-width space and a control character are named by code point', () => {
    expect(diagnostics('app\u200b_up 1\n')[0]?.message).toContain('U+200B, a zero-width space');
    expect(diagnostics('app_up{a=\u0007"b"} 1\n')[0]?.message).toContain('found U+0007, a control character');
  });

  it('a visible character is still quoted as it is', () => {
    expect(diagnostics('app_up{a=x} 1\n')[0]?.message).toContain("found 'x'");
  });

  it('an invalid value is shown escaped, so a control character in it is visible', () => {
    expect(diagnostics('app_up{a="b"}\u0007 1\n')[0]?.message).toBe(
      'invalid value "\\u0007" (expected a float, NaN, +Inf or -Inf)',
    );
  });

  it('a # TYPE line ending with \\r\\n shows the carriage return and says why (text and OpenMetrics)', () => {
    const [text] = diagnostics('# TYPE app_up gauge\r\napp_up 1\n');
    expect(text?.code).toBe('invalid-type');
    expect(text?.message).toBe(
      'unknown metric type "gauge\\r" (expected counter, gauge, histogram, summary or untyped); the line ends with \\r\\n, and lines must end with \\n only',
    );
    const [om] = diagnostics('# TYPE app_up gauge\r\napp_up 1\n# EOF\n', 'openmetrics');
    expect(om?.code).toBe('invalid-type');
    expect(om?.message).toContain('"gauge\\r"');
    expect(om?.message).toContain('lines must end with \\n only');
  });

  it('a control character as the type is shown escaped, with no word about line ends', () => {
    const [d] = diagnostics('# TYPE app_up \u0001\n');
    expect(d?.message).toBe(
      'unknown metric type "\\u0001" (expected counter, gauge, histogram, summary or untyped)',
    );
  });
});
