import { describe, expect, it } from 'vitest';
import { assignBySubscription } from './assigner.js';

const partitions = (counts: Record<string, number>) => (topic: string) =>
  Array.from({ length: counts[topic] ?? 0 }, (_, i) => i);

describe('assignBySubscription', () => {
  it('gives each topic only to the members that subscribed to it (exposers of two topics in one group)', () => {
    const assignment = assignBySubscription(
      new Map([
        ['member-a', ['metrics-a']],
        ['member-b', ['metrics-b']],
      ]),
      partitions({ 'metrics-a': 3, 'metrics-b': 2 }),
    );
    expect(Object.fromEntries(assignment)).toEqual({
      'member-a': { 'metrics-a': [0, 1, 2] },
      'member-b': { 'metrics-b': [0, 1] },
    });
  });

  it('splits a topic round-robin between the members that read it, every partition once', () => {
    const assignment = assignBySubscription(
      new Map([
        ['m2', ['metrics']],
        ['m1', ['metrics']],
        ['m3', ['other']],
      ]),
      partitions({ metrics: 5, other: 1 }),
    );
    expect(Object.fromEntries(assignment)).toEqual({
      m1: { metrics: [0, 2, 4] },
      m2: { metrics: [1, 3] },
      m3: { other: [0] },
    });
  });

  it('spreads many one-partition topics over the members instead of piling them on the first', () => {
    const topics = ['t1', 't2', 't3', 't4'];
    const assignment = assignBySubscription(
      new Map([
        ['m1', topics],
        ['m2', topics],
      ]),
      partitions({ t1: 1, t2: 1, t3: 1, t4: 1 }),
    );
    expect(Object.fromEntries(assignment)).toEqual({
      m1: { t1: [0], t3: [0] },
      m2: { t2: [0], t4: [0] },
    });
  });

  it('leaves a member with no subscription, or a topic without partitions, without partitions', () => {
    const assignment = assignBySubscription(
      new Map<string, string[]>([
        ['m1', []],
        ['m2', ['gone']],
      ]),
      partitions({}),
    );
    expect(Object.fromEntries(assignment)).toEqual({ m1: {}, m2: {} });
  });
});
