/**
 * The exposer process and the signals it gets: SIGHUP (sent to reload a Prometheus or when a terminal closes)
 * does not end it, SIGTERM stops it cleanly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startChildExposer, stopChildExposers, waitFor } from '../test/faults/harness.js';
import { brokers, uniqueTopic } from '../test/kafka.js';

afterEach(stopChildExposers);

describe('exposer serve and signals', () => {
  it('goes on serving after SIGHUP, saying it has nothing to reload; SIGTERM then stops it with exit code 0', async () => {
    const exposer = await startChildExposer({
      brokers: brokers(),
      topic: uniqueTopic('sighup'),
      group: uniqueTopic('sighup-group'),
    });
    exposer.child.kill('SIGHUP');
    await waitFor(
      'the SIGHUP warning in the log',
      () => (exposer.logTail().includes('SIGHUP received') ? true : undefined),
      10_000,
    );
    expect(exposer.logTail()).toContain('no configuration to reload (restart it to apply a change)');
    expect((await fetch(`${exposer.url}/-/healthy`)).status).toBe(200);
    expect(exposer.hasExited()).toBe(false);
    expect(await exposer.kill('SIGTERM')).toBe('0');
  });
});
