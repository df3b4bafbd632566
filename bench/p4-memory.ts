/** Reading a process's memory from /proc: shared by bench/p4-breakdown.ts and the exposer child it starts. */
import { readFileSync } from 'node:fs';

/** The fields of a /proc/PID/smaps_rollup (or /proc/PID/status) style file that are in kB, in bytes. */
export function readRollup(path: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (match) fields[match[1]!] = Number(match[2]) * 1024;
  }
  return fields;
}
