import { spawnSync } from 'node:child_process';

export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
}

/**
 * The path of a program the tests and the lab run for real (prometheus, promtool, prometheus-pushgateway, kcat,
 * chromium). Missing means failing with the fix, never skipping.
 */
export function requireBinary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${JSON.stringify(name)}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new MissingBinaryError(
      `${name} is not installed (not on PATH): install it with \`bash deploy/setup.sh\` (Debian packages prometheus, prometheus-pushgateway, kcat, chromium)`,
    );
  }
  return path;
}
