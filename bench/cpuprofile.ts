/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time per function and per file, as shares of the sampled
 * time outside `(idle)`. File paths are made relative to the project; node's own code keeps its `node:` name.
 */
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface FrameShare {
  readonly function: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly selfMs: number;
  readonly selfShare: number;
}

export interface CpuSummary {
  readonly sampledMs: number;
  readonly top: readonly FrameShare[];
  readonly byFile: readonly { file: string; selfMs: number; selfShare: number }[];
}

function fileOf(url: string, root: string): string {
  if (url === '') return '(native)';
  let path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  if (path.startsWith(`${root}/`)) path = path.slice(root.length + 1);
  const modules = path.lastIndexOf('node_modules/');
  if (modules !== -1) path = path.slice(modules);
  return path.replace(/\?.*$/, '');
}

/** Throws a readable error when the text is not a cpuprofile. */
export function summariseCpuProfile(
  text: string,
  root: string,
  topN = 25,
  /** Files left out of the total and the tables (module loading, the benchmark's own input generation). */
  ignore?: RegExp,
  /**
   * Files left out with everything they call: the project code that generates a benchmark's input (the synthetic
   * apps render their bodies with exposition/render.ts) is not the hot path being measured.
   */
  ignoreCallsFrom?: RegExp,
): CpuSummary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not a .cpuprofile: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`not a .cpuprofile: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const profile = parsed.data;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ignored = new Set<number>();
  if (ignoreCallsFrom !== undefined) {
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
    const isIgnored = (id: number): boolean => {
      // Walks up to the root; profiles are a few thousand nodes deep at most.
      for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
        const node = byId.get(at);
        if (node !== undefined && ignoreCallsFrom.test(fileOf(node.callFrame.url, root))) return true;
      }
      return false;
    };
    for (const n of profile.nodes) if (isIgnored(n.id)) ignored.add(n.id);
  }
  const self = new Map<string, { function: string; file: string; line: number; us: number }>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[i] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    const file = fileOf(node.callFrame.url, root);
    if (ignore?.test(file) === true || ignored.has(id)) return;
    total += delta;
    const line = node.callFrame.lineNumber + 1;
    const key = `${node.callFrame.functionName}\u0000${file}\u0000${line}`;
    const entry = self.get(key) ?? { function: node.callFrame.functionName, file, line, us: 0 };
    entry.us += delta;
    self.set(key, entry);
  });
  const share = (us: number): number => (total > 0 ? us / total : 0);
  const files = new Map<string, number>();
  for (const e of self.values()) files.set(e.file, (files.get(e.file) ?? 0) + e.us);
  return {
    sampledMs: total / 1000,
    top: [...self.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({
        function: e.function,
        file: e.file,
        line: e.line,
        selfMs: e.us / 1000,
        selfShare: share(e.us),
      })),
    byFile: [...files.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([file, us]) => ({ file, selfMs: us / 1000, selfShare: share(us) })),
  };
}
