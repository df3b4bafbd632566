import { afterEach, describe, expect, it, vi } from 'vitest';
import { brokerHint, buildProgram, main } from './cli.js';

describe('the exposer command line', () => {
  const stderr: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    stderr.length = 0;
  });
  function capture(): void {
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  }

  it('exits 0 for --help', async () => {
    capture();
    expect(await main(['--help'])).toBe(0);
  });

  it('prints the package version for --version, exit 0', async () => {
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    expect(await main(['--version'])).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('takes whole counts for --sources, --series and --batch, naming the flag and the range', async () => {
    capture();
    for (const [flag, value, max] of [
      ['--sources', '1.5', '1000000'],
      ['--series', '0', '1000000'],
      ['--batch', '1e9', '100000'],
      ['--sources', '', '1000000'],
    ] as const) {
      expect(await main(['loadgen', flag, value, '--brokers', '127.0.0.1:1']), `${flag} ${value}`).toBe(2);
      expect(stderr.join('')).toBe(
        `exposer: ${flag}: ${JSON.stringify(value)} is not a whole number from 1 to ${max}\n`,
      );
      stderr.length = 0;
    }
    expect(await main(['demo-app', '--series', '2.5'])).toBe(2);
    expect(stderr.join('')).toBe('exposer: --series: "2.5" is not a whole number from 1 to 1000000\n');
  });

  it('exits 2 naming the flag for a listen port over 65535 and a bad duration, the key named once', async () => {
    capture();
    expect(await main(['serve', '--listen', '127.0.0.1:99999'])).toBe(2);
    expect(stderr.join('')).toBe('exposer: flag --listen: listen: the port must be at most 65535\n');
    stderr.length = 0;
    expect(await main(['serve', '--replay-window', '-5m'])).toBe(2);
    expect(stderr.join('')).toBe(
      'exposer: flag --replay-window: replay_window: expected a duration such as 30s, 10m or 1h30m\n',
    );
  });

  it('exits 2 with one line naming the flag for a bad value, before connecting to anything', async () => {
    capture();
    expect(await main(['serve', '--timestamps', 'sometimes'])).toBe(2);
    expect(stderr.join('')).toMatch(/^exposer: flag --timestamps: timestamps: /m);
    expect(await main(['loadgen', '--rate', '0'])).toBe(2);
    expect(stderr.join('')).toMatch(/--rate: "0" is not a positive number/);
    expect(await main(['loadgen', '--duration', 'soon'])).toBe(2);
    expect(stderr.join('')).toMatch(/--duration: "soon" is not a duration/);
    expect(await main(['demo-app', '--port', '70000'])).toBe(2);
  });

  it('exits 2 before connecting for a push interval of 0 (a tight loop) or a topic Kafka would refuse', async () => {
    capture();
    expect(await main(['demo-app', '--push-interval', '0s', '--brokers', '127.0.0.1:1'])).toBe(2);
    expect(stderr.join('')).toBe('exposer: --push-interval: "0s" must be longer than 0, such as 5s\n');
    for (const [command, topic] of [
      ['loadgen', ''],
      ['loadgen', 'my topic'],
      ['demo-app', 'a/b'],
    ] as const) {
      stderr.length = 0;
      expect(await main([command, '--topic', topic, '--brokers', '127.0.0.1:1']), `${command} ${topic}`).toBe(
        2,
      );
      expect(stderr.join('')).toBe(
        `exposer: --topic: ${JSON.stringify(topic)} is not a Kafka topic name (1 to 249 letters, digits, ".", "_" or "-")\n`,
      );
    }
  });

  it('exits 2 for a bad --web.max-requests and documents it in serve --help', async () => {
    capture();
    expect(await main(['serve', '--web.max-requests', '-5'])).toBe(2);
    expect(stderr.join('')).toMatch(/^exposer: flag --web\.max-requests: web_max_requests: /m);
    expect(await main(['serve', '--web.max-requests', 'many'])).toBe(2);
    expect(stderr.join('')).toMatch(/expected a whole number \(0 = no limit\)/);
    const serveHelp = buildProgram()
      .commands.find((c) => c.name() === 'serve')
      ?.helpInformation();
    expect(serveHelp?.replace(/\s+/g, ' ')).toContain(
      '--web.max-requests <n> scrapes of /metrics served at once; one more gets 503 (0 = no limit) (default: 40; env EXPOSER_WEB_MAX_REQUESTS; YAML web_max_requests)',
    );
  });

  it('passes flags with a dot in their name (--web.config) to the configuration', async () => {
    capture();
    expect(await main(['serve', '--web.config', '/nonexistent/web-config.yml'])).toBe(2);
    expect(stderr.join('')).toMatch(/\/nonexistent\/web-config\.yml/);
  });

  it('exits 2 for an unknown flag or command, with one line and a hint instead of the whole help', async () => {
    capture();
    expect(await main(['serve', '--no-such-flag'])).toBe(2);
    expect(stderr.join('')).toBe(
      "error: unknown option '--no-such-flag'\n(exposer --help lists the commands, exposer COMMAND --help their flags)\n",
    );
    stderr.length = 0;
    // A bare `exposer` runs serve: a mistyped command was reported as "too many arguments for 'serve'".
    expect(await main(['srve', '--brokers', '127.0.0.1:9092'])).toBe(2);
    expect(stderr.join('')).toBe(
      'exposer: unknown command "srve" (commands: serve, loadgen, demo-app; exposer --help)\n',
    );
  });

  it('exits 2 naming the flag for a broker without a port or a Pushgateway that is not an http URL', async () => {
    capture();
    // kafkajs retried "kafka" (port NaN) forever while the exposer served nothing.
    expect(await main(['serve', '--brokers', 'kafka'])).toBe(2);
    expect(stderr.join('')).toMatch(
      /^exposer: flag --brokers: brokers: expected host:port, e\.g\. 127\.0\.0\.1:9092$/m,
    );
    stderr.length = 0;
    expect(await main(['loadgen', '--brokers', '127.0.0.1:9092,kafka', '--duration', '1s'])).toBe(2);
    expect(stderr.join('')).toBe(
      'exposer: --brokers: "kafka" is not a host:port list such as 127.0.0.1:9092,kafka-2:9092\n',
    );
    stderr.length = 0;
    expect(await main(['demo-app', '--brokers', ','])).toBe(2);
    expect(stderr.join('')).toMatch(/^exposer: --brokers: "," is not a host:port list/);
    stderr.length = 0;
    // A bad Pushgateway URL was accepted and every PUT failed without a word.
    for (const url of ['pushgateway:9091', 'ftp://127.0.0.1:9091', 'not a url']) {
      expect(await main(['demo-app', '--pushgateway', url]), url).toBe(2);
      expect(stderr.join('')).toBe(
        `exposer: --pushgateway: ${JSON.stringify(url)} is not an http:// or https:// URL\n`,
      );
      stderr.length = 0;
    }
  });

  it('shows each serve flag with its value, default and units, the defaults read from the schema', () => {
    const help = buildProgram()
      .commands.find((c) => c.name() === 'serve')
      ?.helpInformation()
      .replace(/\s+/g, ' ');
    expect(help).toContain('--brokers <host:port,...>');
    expect(help).toContain('(default: 127.0.0.1:9092; env EXPOSER_BROKERS; YAML brokers)');
    expect(help).toContain('--listen <host:port>');
    expect(help).toContain('(default: 127.0.0.1:9464;');
    expect(help).toContain('--source-ttl <duration>');
    expect(help).toContain('(default: 0s;');
    expect(help).toContain('--max-future-skew <duration>');
    expect(help).toContain('(default: 10m;');
    expect(help).toContain('in bytes, checked before decoding (default: 8388608 = 8 MiB;');
    expect(help).toContain('(default: 2000000; env EXPOSER_MAX_SERIES;');
    expect(help).not.toContain('<value>');
  });
});

describe('brokerHint', () => {
  it('points at --brokers when kafkajs reached no broker, and says nothing otherwise', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
    });
    expect(brokerHint(refused)).toBe(
      ' (no Kafka broker answered: check --brokers; npm run kafka:start runs a local one on 127.0.0.1:9092)',
    );
    const other = Object.assign(new Error('This server does not host this topic-partition'), {
      name: 'KafkaJSProtocolError',
    });
    expect(brokerHint(other)).toBe('');
    expect(brokerHint(new Error('Connection error: ECONNREFUSED'))).toBe('');
    expect(brokerHint('ECONNREFUSED')).toBe('');
  });

  it('is added to a loadgen that finds no broker, which exits 1', async () => {
    let written = '';
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written += String(chunk);
      return true;
    });
    try {
      const code = await main(['loadgen', '--brokers', '127.0.0.1:1', '--topic', 't', '--duration', '1s']);
      expect(code).toBe(1);
    } finally {
      write.mockRestore();
    }
    expect(written).toContain('ECONNREFUSED 127.0.0.1:1 (no Kafka broker answered: check --brokers');
  }, 60_000);
});
