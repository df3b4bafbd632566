/**
 * bench/RESULTS.md from the result files: the machine and versions, then per comparison the commands, a table of
 * medians (min–max) side by side with the peer and the ratio, and the targets with their verdicts. The hand-written
 * findings between the `findings` markers of the previous RESULTS.md are kept.
 */
import type { Stats } from './lib.js';
import type { ComparisonResult, Row } from './result.js';

export interface ProfileFrame {
  readonly function: string;
  readonly file: string;
  readonly line: number;
  readonly selfShare: number;
}

export interface ProfileSummary {
  readonly command: string;
  readonly date: string;
  readonly records: number;
  readonly seriesPerRecord: number;
  readonly sampledMs: number;
  readonly stages: readonly { stage: string; ms: number; perSecond: string }[];
  readonly byFile: readonly { file: string; selfShare: number }[];
  readonly top: readonly ProfileFrame[];
}

export const FINDINGS_START = '<!-- findings:start -->';
export const FINDINGS_END = '<!-- findings:end -->';

/** The hand-written findings of an existing RESULTS.md, markers included; a placeholder when there are none. */
export function keptFindings(previous: string | undefined): string {
  if (previous !== undefined) {
    const start = previous.indexOf(FINDINGS_START);
    const end = previous.indexOf(FINDINGS_END);
    if (start !== -1 && end > start) return previous.slice(start, end + FINDINGS_END.length);
  }
  return `${FINDINGS_START}\n_No findings recorded yet._\n${FINDINGS_END}`;
}

/** A number for a table: thousands separated, about three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

export function formatStats(s: Stats): string {
  if (s.n === 0) return '–';
  if (s.n === 1) return formatNumber(s.median);
  return `${formatNumber(s.median)} (${formatNumber(s.min)}–${formatNumber(s.max)})`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rowLine(row: Row): string {
  const peer = row.peer === undefined ? '' : `${escapeCell(row.peer.tool)}: ${formatStats(row.peer.value)}`;
  const ratio =
    row.ratio === undefined ? '' : `${formatNumber(row.ratio)}${row.ratioLabel ? ` ${row.ratioLabel}` : ''}`;
  return `| ${escapeCell(row.what)} | ${row.unit} | ${escapeCell(row.ours.tool)}: ${formatStats(row.ours.value)} | ${peer} | ${ratio} |`;
}

function verdict(met: boolean | null): string {
  return met === null ? 'not measured' : met ? '**met**' : '**not met**';
}

export function renderComparison(result: ComparisonResult): string {
  const lines = [
    `## ${result.id}: ${result.title}`,
    '',
    `${result.smoke ? 'Smoke run (tiny sizes): ' : ''}${result.reps} repetition(s) after a warm-up, tools alternating; ` +
      `${result.date}, ${formatNumber(result.seconds)} s, load average before ${result.machine.loadAverage.join(' / ')}.`,
    '',
    '```sh',
    ...result.commands,
    '```',
    '',
    '| measure | unit | ours: median (min–max) | peer: median (min–max) | ratio |',
    '|---|---|---|---|---|',
    ...result.rows.map(rowLine),
    '',
    '| target | measured | verdict |',
    '|---|---|---|',
    ...result.targets.map(
      (t) => `| ${escapeCell(t.target)} | ${escapeCell(t.measured)} | ${verdict(t.met)} |`,
    ),
  ];
  if (result.notes.length > 0) lines.push('', ...result.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

export function renderProfile(profile: ProfileSummary): string {
  return [
    '## Profile: decode → apply → render, in process',
    '',
    `${profile.date}: ${formatNumber(profile.records)} text records of ${profile.seriesPerRecord} series, ` +
      `${formatNumber(profile.sampledMs)} ms sampled.`,
    '',
    '```sh',
    profile.command,
    '```',
    '',
    '| stage | ms | rate |',
    '|---|---|---|',
    ...profile.stages.map((s) => `| ${s.stage} | ${formatNumber(s.ms)} | ${s.perSecond} |`),
    '',
    'Self time by file:',
    '',
    '| file | self share |',
    '|---|---|',
    ...profile.byFile.map((f) => `| ${escapeCell(f.file)} | ${(f.selfShare * 100).toFixed(1)} % |`),
    '',
    'Top frames by self time:',
    '',
    '| function | file | self share |',
    '|---|---|---|',
    ...profile.top.map(
      (f) =>
        `| ${escapeCell(f.function || '(anonymous)')} | ${escapeCell(f.file)}${f.line > 1 ? `:${f.line}` : ''} | ${(f.selfShare * 100).toFixed(1)} % |`,
    ),
  ].join('\n');
}

export function renderResults(
  results: readonly ComparisonResult[],
  profile: ProfileSummary | undefined,
  previous: string | undefined,
): string {
  const first = results[0];
  const m = first?.machine;
  const summary = results.flatMap((r) =>
    r.targets.map(
      (t) => `| ${r.id} | ${escapeCell(t.target)} | ${escapeCell(t.measured)} | ${verdict(t.met)} |`,
    ),
  );
  return `${[
    '# Benchmarks: side by side with promtool, the Pushgateway and kcat',
    '',
    'Generated by `npm run bench` (bench/run.ts) from `bench/results/*.json`; only the findings section is written',
    'by hand. Every figure is a ratio to the peer measured in the same run on the same machine, the two tools',
    'alternating, medians with min–max over the repetitions.',
    '',
    ...(m === undefined
      ? []
      : [
          '| machine | |',
          '|---|---|',
          `| CPU | ${m.cpu}, ${m.cores} cores |`,
          `| memory | ${m.memoryGiB} GiB |`,
          `| Node.js | ${m.node} |`,
          `| promtool | ${m.promtool} |`,
          `| Pushgateway | ${m.pushgateway} |`,
          `| Kafka | ${m.kafka} |`,
          `| kcat | ${m.kcat} |`,
          `| load average (1/5/15 min) when the run started | ${m.loadAverage.join(' / ')} (shared machine: other engineers' builds and tests ran alongside) |`,
        ]),
    '',
    '## Targets',
    '',
    '| id | target | measured | verdict |',
    '|---|---|---|---|',
    ...summary,
    '',
    '## Findings',
    '',
    keptFindings(previous),
    '',
    ...results.flatMap((r) => [renderComparison(r), '']),
    ...(profile === undefined ? [] : [renderProfile(profile), '']),
  ].join('\n')}`;
}
