/**
 * The consumer group's partition assigner. kafkajs' round-robin assigner hands out the partitions of the leader's
 * topics to every member, whatever each member subscribed to (tulios/kafkajs#1679): an exposer started with
 * another topic in the same group (both default to `queuefront-exposer`) takes partitions it never reads, and the
 * exposer that reads them drops their sources. This one does what Kafka's own assignors do: each topic's partitions
 * go round-robin to the members subscribed to it, over the topics of every member.
 */
import { AssignerProtocol, PartitionAssigners, type Assignment, type PartitionAssigner } from 'kafkajs';

export const SUBSCRIPTION_AWARE_ASSIGNER = 'QueuefrontRoundRobin';

/** Which members read which partitions: pure, so that it can be checked without a group. */
export function assignBySubscription(
  subscriptions: ReadonlyMap<string, readonly string[]>,
  partitionsOf: (topic: string) => readonly number[],
): Map<string, Assignment> {
  const members = [...subscriptions.keys()].sort();
  const assignment = new Map<string, Assignment>(members.map((m) => [m, {}]));
  const topics = [...new Set([...subscriptions.values()].flat())].sort();
  // One turn across all topics, as kafkajs' own assigner, so that many one-partition topics do not all land on the
  // first member; a member is skipped for a topic it did not subscribe to.
  let turn = 0;
  for (const topic of topics) {
    const readers = members.filter((m) => subscriptions.get(m)?.includes(topic));
    if (readers.length === 0) continue;
    for (const partition of [...partitionsOf(topic)].sort((a, b) => a - b)) {
      const member = readers[turn++ % readers.length] ?? '';
      const own = assignment.get(member);
      if (own !== undefined) (own[topic] ??= []).push(partition);
    }
  }
  return assignment;
}

export const subscriptionAwareAssigner: PartitionAssigner = ({ cluster }) => ({
  name: SUBSCRIPTION_AWARE_ASSIGNER,
  version: 1,
  async assign({ members }) {
    const subscriptions = new Map<string, readonly string[]>();
    for (const { memberId, memberMetadata } of members) {
      subscriptions.set(memberId, AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? []);
    }
    // The leader knows the partitions of its own topics only: load the others' too.
    await cluster.addMultipleTargetTopics([...new Set([...subscriptions.values()].flat())]);
    const assignment = assignBySubscription(subscriptions, (topic) =>
      cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId),
    );
    return [...assignment].map(([memberId, own]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: this.version,
        assignment: own,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: this.name,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: this.version,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});

/**
 * The assigners the exposer offers, preferred first. kafkajs' round-robin stays second so that a group holding
 * exposers of an earlier version (which offer only it) still forms during a rolling upgrade.
 */
export const EXPOSER_ASSIGNERS: PartitionAssigner[] = [
  subscriptionAwareAssigner,
  PartitionAssigners.roundRobin,
];
