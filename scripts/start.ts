/**
 * `npm start`: the local stack. A Kafka broker (the project's own, unless one answers at KAFKA_BROKERS), the
 * topic, the exposer on 127.0.0.1:9464 and a gentle load generator; prints the URLs and stops everything it
 * started on Ctrl-C.
 */
import { pino } from 'pino';
import { startBroker, stopBroker, waitForBroker } from '../deploy/kafka/broker.js';
import { runLoadgen } from '../exposer/loadgen.js';
import { serve } from '../exposer/serve.js';

const say = (line: string): void => void process.stderr.write(`start: ${line}\n`);

async function main(): Promise<void> {
  let brokers = process.env['KAFKA_BROKERS'];
  let ownBroker = false;
  if (brokers) {
    say(`using the Kafka cluster at KAFKA_BROKERS=${brokers}`);
    await waitForBroker(brokers, 30_000);
  } else {
    const broker = await startBroker({}, say);
    brokers = broker.brokers;
    ownBroker = !broker.alreadyRunning;
    if (broker.alreadyRunning)
      say(`using the broker already running on ${brokers} (npm run kafka:stop stops it)`);
  }
  const topic = process.env['EXPOSER_TOPIC'] ?? 'metrics';
  const exposer = await serve(
    {
      flags: { brokers: brokers.split(','), topics: [topic] },
      env: process.env,
      file: process.env['EXPOSER_CONFIG'],
    },
    { logger: pino({ level: process.env['EXPOSER_LOG_LEVEL'] ?? 'warn' }, pino.destination(2)) },
  );
  const abort = new AbortController();
  const loadgen = runLoadgen({
    brokers: brokers.split(','),
    topic,
    sources: 20,
    series: 48,
    rate: 4,
    durationMs: 8 * 3600_000,
    format: 'json',
    job: 'demo',
    timestamps: false,
    batch: 10,
    signal: abort.signal,
  }).catch((error: unknown) => {
    say(`load generator stopped: ${String(error)}`);
    return undefined;
  });

  say('');
  say(`status page        ${exposer.url}/`);
  say(`metrics            ${exposer.url}/metrics`);
  say(`sources (JSON)     ${exposer.url}/api/v1/sources`);
  say(`readiness          ${exposer.url}/-/ready`);
  say(`Kafka              ${brokers}, topic ${topic}; 20 demo sources push 48 series each`);
  say('');
  say('Ctrl-C stops everything this command started.');

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  say('stopping…');
  abort.abort();
  await loadgen;
  await exposer.stop();
  if (ownBroker) {
    await stopBroker();
    say('broker stopped');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
