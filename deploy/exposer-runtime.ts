/**
 * How the exposer's process is started for users, and so for the benchmarks: the memory settings that
 * docs/exposer.md ("Memory") measured. deploy/Dockerfile sets them in the image (compose.yaml and the Kubernetes
 * manifests run that image); bench/harness.ts starts the benchmarks' exposer with them, so that P4 and P5 measure
 * what users run. A test holds the Dockerfile's ENV equal to these.
 *
 * glibc's malloc thresholds are fixed at its own defaults (128 KiB): setting either variable stops glibc from
 * raising both after it frees a large mmap()ed block (the exposer frees them with every large Kafka fetch, up to
 * 8 MiB). With raised thresholds, blocks of up to the largest freed size come from the arenas and each arena keeps
 * up to twice that size of free memory resident: 12–18 MiB more RSS at 96k series on 2 cores, 20–50 MiB at 960k.
 * musl and other allocators ignore these variables.
 *
 * Not here: `--max-semi-space-size=4` saves 23 MiB at 96k series when records trickle in, but during a backlog
 * replay it promotes decoding's garbage, and V8 then keeps 230–330 MiB of old space committed where 150–170 MiB
 * are used (docs/exposer.md).
 */

/** Environment for glibc's malloc (read once, when the process starts). */
export const EXPOSER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The environment the exposer process is started with, on top of the user's. */
export function exposerRuntimeEnv(): Record<string, string> {
  return { ...EXPOSER_MALLOC_ENV };
}
