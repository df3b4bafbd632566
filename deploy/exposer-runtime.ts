/**
 * How the exposer's Node process is started for users, and so for the benchmarks: the memory settings that
 * docs/exposer.md ("Memory") measured. deploy/Dockerfile sets them in the image (compose.yaml and the Kubernetes
 * manifests run that image); bench/harness.ts starts the benchmarks' exposer with them, so that P4 and P5 measure
 * what users run. A test holds the Dockerfile's ENV equal to these.
 *
 * - `--max-semi-space-size=4` (MiB): V8's young generation otherwise grows to 2 x 16 MiB semi-spaces under an
 *   ingest burst and keeps them committed (about 25 MiB of the RSS at 96k series), for no less CPU.
 * - `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` at glibc's own defaults (128 KiB), fixed: setting
 *   either stops glibc from raising both thresholds after it frees a large mmap()ed block (the exposer frees them
 *   at start-up and with every large Kafka fetch). With raised thresholds, blocks of up to the largest freed size
 *   come from the arenas and each arena keeps up to twice that size of free memory resident (12–18 MiB at 96k
 *   series on 2 cores). No effect on musl or other allocators, which ignore these variables.
 */

/** Node flags, as NODE_OPTIONS carries them (V8 accepts this one there). */
export const EXPOSER_NODE_OPTIONS = '--max-semi-space-size=4';

/** Environment for glibc's malloc (read once, when the process starts). */
export const EXPOSER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** The whole environment the exposer process is started with, on top of the user's. */
export function exposerRuntimeEnv(): Record<string, string> {
  return { NODE_OPTIONS: EXPOSER_NODE_OPTIONS, ...EXPOSER_MALLOC_ENV };
}
