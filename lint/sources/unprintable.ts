/**
 * The first character YAML 1.2 does not allow in a stream (c-printable: tab, line feed, carriage return, the
 * printable range): a binary file, read as YAML. The yaml package accepts most of them; go-yaml (Prometheus,
 * promtool) refuses the file. (Bytes that are not UTF-8 are found before decoding: lint/commands/lint.ts.) A module
 * of its own so that the command can look before it loads the YAML reader (lint/sources/config.ts).
 */
export function firstUnprintable(text: string): number {
  return text.search(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/);
}
