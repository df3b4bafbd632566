import { describe, expect, it } from 'vitest';
import { escapeHtml, formatAge, renderStatusPage, staleness } from './status-page.js';
import type { SourceInfo } from './store.js';

const source = (over: Partial<SourceInfo> = {}): SourceInfo => ({
  key: 'j/i',
  job: 'j',
  instance: 'i',
  labels: [],
  series: 3,
  families: 1,
  lastPushMs: 0,
  ageMs: 0,
  partition: 0,
  offset: '0',
  ...over,
});

describe('status page', () => {
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [61_000, '1m01s'],
    [3_600_000 + 120_000, '1h02m'],
    [90_000_000, '1d1h'],
  ])('formatAge(%d) = %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('staleness is measured against the TTL', () => {
    expect(staleness(source({ ageMs: 10 }), 0)).toBe('fresh');
    expect(staleness(source({ ageMs: 40 }), 100)).toBe('fresh');
    expect(staleness(source({ ageMs: 50 }), 100)).toBe('aging');
    expect(staleness(source({ ageMs: 95 }), 100)).toBe('stale');
  });

  it('escapes every pushed string', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderStatusPage({
      sources: [source({ job: '<b>j', instance: '"i"', labels: [['<l>', '</td>']] })],
      nowMs: 0,
      ttlMs: 0,
      mode: 'none',
      series: 3,
      ready: { ready: false, reason: '<replaying>' },
    });
    expect(html).not.toMatch(/<b>j|<l>|<\/td>"|<replaying>/);
    expect(html).toContain('&lt;b&gt;j');
    expect(html).toContain('&lt;replaying&gt;');
  });

  it('says so when no source has pushed', () => {
    const html = renderStatusPage({
      sources: [],
      nowMs: 0,
      ttlMs: 0,
      mode: 'drain',
      series: 0,
      ready: { ready: true },
    });
    expect(html).toContain('No source has pushed yet.');
    expect(html).toContain('<b>drain</b>');
  });
});
