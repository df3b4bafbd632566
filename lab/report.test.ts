import { describe, expect, it } from 'vitest';
import { chartSpecs } from './charts.js';
import { renderReport, secondsText, summaryLines, table } from './report.js';
import { sampleResults } from './testing/sample-results.js';

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
    m[1]!
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  );
}

describe('renderReport', () => {
  it('has the anchors docs/architecture.md links to', () => {
    expect(anchors(renderReport(sampleResults()))).toEqual(
      expect.arrayContaining(['dead-app', 'misalignment', 'timestamps', 'scale', 'queue-down']),
    );
  });

  it('names the machine, the versions and the command that reproduces the figures', () => {
    const report = renderReport(sampleResults());
    expect(report).toContain('`npm run lab -- --quick`');
    expect(report).toContain('2 cores (Test CPU), 8.0 GiB memory');
    for (const version of ['2.42.0', '4.3.1', 'v20.0.0', '1.5.1', '2.2.4']) expect(report).toContain(version);
  });

  it('says plainly when the figures come from a quick run, and only then', () => {
    expect(renderReport(sampleResults({ quick: true }))).toContain('**These are quick-run figures**');
    expect(renderReport(sampleResults({ quick: false }))).not.toContain('quick-run figures');
  });

  it('shows a time that was not observed as never within the window, not as zero', () => {
    const report = renderReport(sampleResults());
    expect(report).toMatch(/absent\(x\{a="b"\}\) or y \\\| z` \| exposer \| never \(within 20 s\) \|/);
  });

  it('hides the ephemeral loopback port of the killed app in the expressions', () => {
    const report = renderReport(sampleResults());
    expect(report).toContain('up{job="direct",instance="<app>"} == 0');
    expect(report).not.toContain('127.0.0.1:4000');
  });

  it('links one chart per scenario, each a file the chart writer produces', () => {
    const results = sampleResults();
    const report = renderReport(results, { chartDir: 'lab' });
    const linked = [...report.matchAll(/!\[[^\]]*\]\(lab\/([^)]+)\)/g)].map((m) => m[1]);
    expect(linked).toEqual(chartSpecs(results).map((c) => c.file));
  });

  it('says a scenario failed, with its error, instead of showing figures', () => {
    const results = sampleResults({ failures: { scale: 'the exposer exited during start-up' } });
    delete results.scenarios.scale;
    const section = renderReport(results).split('## Scale')[1]!.split('## Queue down')[0]!;
    expect(section).toContain('**This scenario failed in the recorded run**');
    expect(section).toContain('the exposer exited during start-up');
    expect(section).not.toContain('|');
  });

  it('says a scenario was not measured when it neither ran nor failed', () => {
    const results = sampleResults();
    delete results.scenarios.timestamps;
    expect(renderReport(results)).toContain(
      '_Not measured in the recorded run (run `npm run lab -- --only timestamps`)._',
    );
  });

  it('reports a scale run that never failed as such, with the bounded maximum', () => {
    const results = sampleResults();
    results.scenarios.scale = { ...results.scenarios.scale!, failedAtSeries: null };
    expect(renderReport(results)).toContain("The exposer's scrape never failed up to 360,000 series");
  });
});

describe('the scale section', () => {
  it('explains a scrape_duration_seconds over the timeout with up 1 (the timeout bounds the fetch only)', () => {
    const results = sampleResults();
    const scale = results.scenarios.scale!;
    const step = { ...scale.steps[0]!, sources: 300, series: 360_000, targetSeries: 360_000 };
    results.scenarios.scale = {
      ...scale,
      steps: [scale.steps[0]!, { ...step, scrapeDurationMaxS: 1.5, upMin: 1 }],
      failedAtSeries: null,
    };
    const within = renderReport(results);
    expect(within).toContain("Prometheus's timeout bounds the HTTP fetch of the body only");
    expect(within).toContain('The one target pays that time on every scrape');
    results.scenarios.scale.steps[1] = { ...step, scrapeDurationMaxS: 2.74, upMin: 1 };
    expect(renderReport(results)).toContain(
      "At 2.74 s against a 2 s interval the exposer's scrapes ran back to back",
    );
  });

  it('says nothing of it when every scrape stayed within the timeout', () => {
    const results = sampleResults();
    results.scenarios.scale = { ...results.scenarios.scale!, failedAtSeries: null };
    results.scenarios.scale.steps = [results.scenarios.scale.steps[0]!];
    expect(renderReport(results)).not.toContain('no contradiction');
  });
});

describe('summaryLines', () => {
  it('has one line per measured scenario and one per failure', () => {
    const results = sampleResults({ failures: { 'queue-down': 'broker would not start\nstack' } });
    delete results.scenarios['queue-down'];
    const lines = summaryLines(results);
    expect(lines.map((l) => l.split(':')[0])).toEqual([
      'dead app',
      'misalignment',
      'timestamps',
      'scale',
      'queue-down',
    ]);
    expect(lines[4]).toBe('queue-down: FAILED: broker would not start');
  });
});

describe('secondsText and table', () => {
  it.each([
    [null, undefined, 'never'],
    [null, 20, 'never (within 20 s)'],
    [0, undefined, '0.00 s'],
    [1.234, undefined, '1.23 s'],
    [12.34, undefined, '12.3 s'],
    [360.4, undefined, '360 s'],
  ] as const)('secondsText(%s, %s) is %s', (value, window, text) => {
    expect(secondsText(value, window)).toBe(text);
  });

  it('escapes pipes and newlines in cells', () => {
    expect(table(['a', 'b'], [['x|y', 'one\ntwo']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | one two |');
  });
});
