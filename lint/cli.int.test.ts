/** The real command in a real process: exit codes, stdout/stderr, stdin, as a shell or CI sees them. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url));

function scrapelint(
  args: string[],
  stdin = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [tsx, 'lint/cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('scrapelint as a process', () => {
  it('exit 1 and ESLint JSON for a bad config', async () => {
    const { code, stdout } = await scrapelint([
      'config',
      'fixtures/configs/bad/timeouts.yml',
      '--format',
      'json',
      '--no-rc',
    ]);
    expect(code).toBe(1);
    const [result] = JSON.parse(stdout) as { errorCount: number; messages: { ruleId: string }[] }[];
    expect(result?.errorCount).toBe(4);
    expect(result?.messages.every((m) => m.ruleId === 'scrape-timeout')).toBe(true);
  });
  it('exit 0 for good files, reading stdin with -', async () => {
    const { code, stdout } = await scrapelint(
      ['--no-rc', 'fixtures/configs/good', '-'],
      'scrape_configs:\n  - job_name: node\n',
    );
    expect({ code, stdout }).toEqual({ code: 0, stdout: '' });
  });
  it('exit 2 and one line on stderr for a missing file', async () => {
    const { code, stderr } = await scrapelint(['--no-rc', 'no-such-file.yml']);
    expect(code).toBe(2);
    expect(
      stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('npm warn')),
    ).toEqual(['scrapelint: no-such-file.yml: no such file or directory']);
  });
});
