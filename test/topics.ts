/**
 * Creates a topic and waits until every partition has a leader, for the tests, the fault scenarios and the
 * benchmarks alike. kafkajs' own `waitForLeaders` retries only on LEADER_NOT_AVAILABLE and gives up with "This
 * server does not host this topic-partition" when a freshly started or busy broker is slow to publish the new
 * topic's metadata (seen under CI load, in the fault scenarios and the benchmarks), so the wait is done here,
 * polling the metadata and bounded by `timeoutMs`.
 */
import type { Kafka } from 'kafkajs';

export async function createReadyTopic(
  kafka: Kafka,
  topic: string,
  partitions = 1,
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: false });
    const until = Date.now() + timeoutMs;
    for (;;) {
      let problem: string;
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const found = topics.find((t) => t.name === topic)?.partitions ?? [];
        if (found.length === partitions && found.every((p) => p.leader >= 0)) return;
        problem = `${found.filter((p) => p.leader >= 0).length} of ${partitions} partitions have a leader`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > until) throw new Error(`topic ${topic} not ready after ${timeoutMs} ms: ${problem}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
