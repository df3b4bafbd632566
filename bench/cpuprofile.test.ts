import { describe, expect, it } from 'vitest';
import { summariseCpuProfile } from './cpuprofile.js';

const frame = (id: number, functionName: string, url: string, lineNumber: number) => ({
  id,
  callFrame: { functionName, url, lineNumber, scriptId: '0', columnNumber: 0 },
  hitCount: 0,
});

const profile = {
  nodes: [
    frame(1, '(root)', '', -1),
    frame(2, '(idle)', '', -1),
    frame(3, 'applyOrRefuse', 'file:///repo/exposer/store.ts', 209),
    frame(4, 'scan', 'file:///repo/exposition/parse.ts', 99),
    frame(5, '(garbage collector)', '', -1),
    frame(6, 'parse', 'file:///repo/node_modules/zod/v4/core.js', 9),
  ],
  startTime: 0,
  endTime: 1000,
  samples: [2, 3, 3, 4, 5, 3, 6, 2],
  timeDeltas: [500, 100, 100, 100, 50, 100, 50, 900],
};

describe('summariseCpuProfile', () => {
  it('ranks functions by self time outside idle, with project-relative files and 1-based lines', () => {
    const summary = summariseCpuProfile(JSON.stringify(profile), '/repo');
    expect(summary.sampledMs).toBeCloseTo(0.5);
    expect(summary.top[0]).toMatchObject({ function: 'applyOrRefuse', file: 'exposer/store.ts', line: 210 });
    expect(summary.top[0]!.selfShare).toBeCloseTo(0.6);
    expect(summary.top.map((f) => f.function)).toEqual([
      'applyOrRefuse',
      'scan',
      '(garbage collector)',
      'parse',
    ]);
    expect(summary.byFile[0]).toMatchObject({ file: 'exposer/store.ts' });
    expect(summary.byFile.map((f) => f.file)).toContain('node_modules/zod/v4/core.js');
    expect(summary.byFile.map((f) => f.file)).toContain('(native)');
  });

  it('leaves ignored files out of the total and the tables', () => {
    const summary = summariseCpuProfile(JSON.stringify(profile), '/repo', 25, /^exposition\//);
    expect(summary.sampledMs).toBeCloseTo(0.4);
    expect(summary.top.map((f) => f.function)).not.toContain('scan');
    expect(summary.top[0]!.selfShare).toBeCloseTo(0.75);
  });

  it('leaves out what an ignored file calls, wherever it lives', () => {
    const nested = {
      ...profile,
      nodes: [
        { ...frame(1, '(root)', '', -1), children: [3, 7] },
        ...profile.nodes.slice(1),
        { ...frame(7, 'toText', 'file:///repo/exposer/workload.ts', 150), children: [8] },
        frame(8, 'renderSample', 'file:///repo/exposition/render.ts', 20),
      ],
      samples: [3, 8, 8, 7],
      timeDeltas: [100, 100, 100, 100],
    };
    const summary = summariseCpuProfile(JSON.stringify(nested), '/repo', 25, undefined, /workload\.ts$/);
    expect(summary.sampledMs).toBeCloseTo(0.1);
    expect(summary.top.map((f) => f.function)).toEqual(['applyOrRefuse']);
    const all = summariseCpuProfile(JSON.stringify(nested), '/repo');
    expect(all.top.map((f) => f.function)).toContain('renderSample');
  });

  it('keeps only the top N frames', () => {
    expect(summariseCpuProfile(JSON.stringify(profile), '/repo', 2).top).toHaveLength(2);
  });

  it('has no share at all for a profile that only idled', () => {
    const idle = { ...profile, samples: [2, 2], timeDeltas: [10, 10] };
    const summary = summariseCpuProfile(JSON.stringify(idle), '/repo');
    expect(summary.sampledMs).toBe(0);
    expect(summary.top).toEqual([]);
  });

  it('says what is wrong with a file that is not a cpuprofile', () => {
    expect(() => summariseCpuProfile('{', '/repo')).toThrow(/^not a \.cpuprofile: /);
    expect(() => summariseCpuProfile('{"nodes": 3}', '/repo')).toThrow(/^not a \.cpuprofile: /);
    expect(() => summariseCpuProfile('[]', '/repo')).toThrow(/^not a \.cpuprofile: /);
  });
});
