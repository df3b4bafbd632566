import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, resolveConfig } from './config.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'exposer-config-')), 'exposer.yaml');
  writeFileSync(file, text);
  return file;
}

describe('exposer configuration', () => {
  it('has defaults that keep memory bounded and bind to loopback', () => {
    const config = resolveConfig({ flags: {}, env: {} });
    expect(config.listen).toBe('127.0.0.1:9464');
    expect(config.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.timestamps).toBe('none');
    expect(config.sourceTtl).toBe(0);
    expect(config.replayWindowMs).toBe(600_000);
    expect(config.maxSeries).toBeGreaterThan(0);
    expect(config.createTopic).toBe(true);
  });

  it('takes flag over environment over file over default', () => {
    const file = yamlFile('listen: 127.0.0.1:1111\ntimestamps: drain\nsource_ttl: 2m\ngroup: from-file\n');
    const env = { EXPOSER_LISTEN: '127.0.0.1:2222', EXPOSER_TIMESTAMPS: 'source' };
    const config = resolveConfig({ flags: { listen: '127.0.0.1:3333' }, env, file });
    expect(config.listen).toBe('127.0.0.1:3333');
    expect(config.timestamps).toBe('source');
    expect(config.group).toBe('from-file');
    expect(config.sourceTtl).toBe(120_000);
    // The replay window follows the TTL when not set.
    expect(config.replayWindowMs).toBe(120_000);
  });

  it('parses lists, booleans and numbers from strings', () => {
    const config = resolveConfig({
      flags: {},
      env: {
        EXPOSER_BROKERS: 'a:1, b:2',
        EXPOSER_TOPIC: 'm1,m2',
        EXPOSER_CREATE_TOPIC: 'false',
        EXPOSER_MAX_SERIES: '10',
      },
    });
    expect(config.brokers).toEqual(['a:1', 'b:2']);
    expect(config.topics).toEqual(['m1', 'm2']);
    expect(config.createTopic).toBe(false);
    expect(config.maxSeries).toBe(10);
    expect(describeConfig(config)).toMatchObject({ brokers: ['a:1', 'b:2'], replay_window: '10m' });
  });

  it('names the flag when a flag is wrong', () => {
    expect(() => resolveConfig({ flags: { timestamps: 'sometimes' }, env: {} })).toThrow(
      /^flag --timestamps: timestamps:/,
    );
    expect(() => resolveConfig({ flags: { sourceTtl: '5 minutes' }, env: {} })).toThrow(
      /^flag --source-ttl: source_ttl: expected a duration such as 30s, 10m or 1h30m$/,
    );
  });

  it('names the environment variable when the environment is wrong', () => {
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_MAX_SERIES: '-5' } })).toThrow(
      /environment variable EXPOSER_MAX_SERIES: max_series: must be greater than 0/,
    );
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_LISTEN: 'everywhere' } })).toThrow(
      /EXPOSER_LISTEN.*HOST:PORT/,
    );
  });

  it('says what a boolean takes when EXPOSER_CREATE_TOPIC or create_topic is not one', () => {
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_CREATE_TOPIC: 'maybe' } })).toThrow(
      'environment variable EXPOSER_CREATE_TOPIC: create_topic: expected true or false (or 1 or 0)',
    );
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_CREATE_TOPIC: 'yes' } })).toThrow(
      /expected true or false/,
    );
  });

  it('says a count must be a whole number when it is not a number at all', () => {
    expect(() => resolveConfig({ flags: { maxSeries: 'abc' }, env: {} })).toThrow(
      'flag --max-series: max_series: expected a whole number',
    );
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_PARTITIONS: 'six' } })).toThrow(
      'environment variable EXPOSER_PARTITIONS: partitions: expected a whole number',
    );
  });

  it('names the file, line and key when the YAML is wrong', () => {
    const file = yamlFile('group: g\n\nmax_series: lots\n');
    expect(() => resolveConfig({ flags: {}, env: {}, file })).toThrow(
      new RegExp(`${file}:3:1: max_series: `),
    );
    const unknown = yamlFile('brokers: a:1\nmax_sereis: 5\n');
    expect(() => resolveConfig({ flags: {}, env: {}, file: unknown })).toThrow(
      /:2:1: unknown key "max_sereis"/,
    );
    const broken = yamlFile('brokers: [a:1\n');
    expect(() => resolveConfig({ flags: {}, env: {}, file: broken })).toThrow(/invalid YAML/);
    const list = yamlFile('- a\n- b\n');
    expect(() => resolveConfig({ flags: {}, env: {}, file: list })).toThrow(/expected a mapping/);
  });

  it('reports a missing config file as a ConfigError naming it', () => {
    expect(() => resolveConfig({ flags: {}, env: {}, file: '/nonexistent/exposer.yaml' })).toThrow(
      ConfigError,
    );
    expect(() => resolveConfig({ flags: {}, env: {}, file: '/nonexistent/exposer.yaml' })).toThrow(/ENOENT/);
  });

  it('caps concurrent scrapes at 40 by default, 0 disabling the cap, from a flag, the environment or YAML', () => {
    expect(resolveConfig({ flags: {}, env: {} }).webMaxRequests).toBe(40);
    expect(resolveConfig({ flags: { webMaxRequests: '0' }, env: {} }).webMaxRequests).toBe(0);
    expect(resolveConfig({ flags: {}, env: { EXPOSER_WEB_MAX_REQUESTS: '120' } }).webMaxRequests).toBe(120);
    const file = yamlFile('web_max_requests: 7\n');
    expect(resolveConfig({ flags: {}, env: {}, file }).webMaxRequests).toBe(7);
    expect(describeConfig(resolveConfig({ flags: {}, env: {}, file }))).toMatchObject({
      web_max_requests: 7,
    });
  });

  it.each([
    ['-1', /must not be negative|expected a whole number/],
    ['1.5', /expected a whole number \(0 = no limit\)/],
    ['', /expected a whole number/],
    ['forty', /expected a whole number/],
    ['0x10', /expected a whole number/],
    ['1e3', /expected a whole number/],
    ['100001', /must be at most 100000/],
  ])('refuses web.max-requests %j naming the flag', (value, message) => {
    expect(() => resolveConfig({ flags: { webMaxRequests: value }, env: {} })).toThrow(
      new RegExp(`^flag --web\\.max-requests: web_max_requests: ${message.source}`),
    );
  });

  it('refuses a web_max_requests in YAML that is empty, a boolean or negative, naming the line', () => {
    for (const [text, message] of [
      ['web_max_requests:\n', /expected a whole number/],
      ['web_max_requests: true\n', /expected a whole number/],
      ['web_max_requests: -3\n', /must not be negative/],
    ] as const) {
      const file = yamlFile(`group: g\n${text}`);
      expect(() => resolveConfig({ flags: {}, env: {}, file })).toThrow(
        new RegExp(`${file}:2:1: web_max_requests: ${message.source}`),
      );
    }
  });

  it('bounds how far ahead a sample timestamp may be: 10m by default, a duration from a flag, the environment or YAML, 0 = no check', () => {
    expect(resolveConfig({ flags: {}, env: {} }).maxFutureSkew).toBe(600_000);
    expect(resolveConfig({ flags: { maxFutureSkew: '90s' }, env: {} }).maxFutureSkew).toBe(90_000);
    expect(resolveConfig({ flags: { maxFutureSkew: '0' }, env: {} }).maxFutureSkew).toBe(0);
    expect(resolveConfig({ flags: {}, env: { EXPOSER_MAX_FUTURE_SKEW: '1h' } }).maxFutureSkew).toBe(
      3_600_000,
    );
    const file = yamlFile('max_future_skew: 2m\n');
    expect(resolveConfig({ flags: {}, env: {}, file }).maxFutureSkew).toBe(120_000);
    expect(describeConfig(resolveConfig({ flags: {}, env: {}, file }))).toMatchObject({
      max_future_skew: '2m',
    });
  });

  it.each(['soon', '-5m', '10 minutes', ''])('refuses max-future-skew %j naming the flag', (value) => {
    expect(() => resolveConfig({ flags: { maxFutureSkew: value }, env: {} })).toThrow(
      /^flag --max-future-skew: .*expected a duration such as 30s/,
    );
  });

  it('rejects invalid topic names and empty broker lists', () => {
    expect(() => resolveConfig({ flags: { topics: 'bad topic' }, env: {} })).toThrow(
      /invalid Kafka topic name/,
    );
    expect(() => resolveConfig({ flags: { brokers: ' , ' }, env: {} })).toThrow(/at least one broker/);
  });

  it('refuses a broker without a port (kafkajs would retry port NaN forever), naming where it came from', () => {
    expect(() => resolveConfig({ flags: {}, env: { EXPOSER_BROKERS: 'kafka-1:9092,kafka-2' } })).toThrow(
      'environment variable EXPOSER_BROKERS: brokers: expected host:port, e.g. 127.0.0.1:9092',
    );
    expect(() => resolveConfig({ flags: {}, env: {}, file: yamlFile('brokers:\n  - kafka\n') })).toThrow(
      /exposer\.yaml:1:1: brokers: expected host:port/,
    );
    for (const ok of ['kafka:9092', '10.0.0.1:9092', '[::1]:9092', 'kafka-0.kafka.svc:9093'])
      expect(resolveConfig({ flags: { brokers: ok }, env: {} }).brokers).toEqual([ok]);
  });
});
