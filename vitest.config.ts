import { defineConfig } from 'vitest/config';

// Two groups: `unit` starts no process; `integration` talks to the real broker and the real Prometheus
// (test/global-setup.ts starts one broker for the whole run unless KAFKA_BROKERS names one).
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // Integration tests mostly wait on real processes (Kafka, Prometheus, npm): three files at a time keeps the
    // 2-core machine busy without starving the timing-sensitive ones.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{exposition,exposer,lint,lab,bench,deploy,scripts,test}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{exposition,exposer,lint,lab,bench,deploy,scripts,test}/**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
