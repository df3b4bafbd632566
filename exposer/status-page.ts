/**
 * GET /: one HTML page listing the sources (age, staleness against the TTL, series), readable on a phone.
 * No script; every piece of pushed text is escaped.
 */
import type { SourceInfo, TimestampMode } from './store.js';

export interface StatusPageData {
  readonly sources: readonly SourceInfo[];
  readonly nowMs: number;
  readonly ttlMs: number;
  readonly mode: TimestampMode;
  readonly series: number;
  readonly ready: { ready: boolean; reason?: string };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : text;
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** fresh: under half the TTL; aging: over half; stale: over 90 % (about to be dropped). Without TTL: fresh. */
export function staleness(source: SourceInfo, ttlMs: number): 'fresh' | 'aging' | 'stale' {
  if (ttlMs <= 0) return 'fresh';
  const used = source.ageMs / ttlMs;
  return used >= 0.9 ? 'stale' : used >= 0.5 ? 'aging' : 'fresh';
}

export function renderStatusPage(data: StatusPageData): string {
  const sorted = [...data.sources].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rows = sorted
    .map((s) => {
      const state = staleness(s, data.ttlMs);
      const labels = s.labels.map(([n, v]) => `${escapeHtml(n)}=${escapeHtml(JSON.stringify(v))}`).join(', ');
      const ttl =
        s.expiresInMs === undefined ? 'never expires' : `expires in ${escapeHtml(formatAge(s.expiresInMs))}`;
      return `<tr class="${state}">
<td data-h="job"><b>${escapeHtml(s.job)}</b></td>
<td data-h="instance">${escapeHtml(s.instance)}${labels === '' ? '' : `<br><small>${labels}</small>`}</td>
<td data-h="series" class="n">${s.series}</td>
<td data-h="last push"><time datetime="${new Date(s.lastPushMs).toISOString()}">${escapeHtml(formatAge(s.ageMs))} ago</time></td>
<td data-h="state"><span class="badge">${state}</span> <small>${ttl}</small></td>
<td data-h="partition" class="n">${s.partition}</td>
</tr>`;
    })
    .join('\n');
  const ready = data.ready.ready
    ? '<span class="badge ok">ready</span>'
    : `<span class="badge stale">not ready</span> ${escapeHtml(data.ready.reason ?? '')}`;
  const ttl = data.ttlMs > 0 ? formatAge(data.ttlMs) : 'none (sources never expire)';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15">
<title>exposer: ${data.sources.length} sources</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0;padding:1rem;color:#1b1f24;background:#fafbfc}
h1{font-size:1.3rem;margin:0 0 .5rem}
.summary{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:0 0 1rem;padding:0}
.summary li{list-style:none}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #dde1e6;vertical-align:top;overflow-wrap:anywhere}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#d8f3dc}
.aging .badge{background:#fff3bf}.stale .badge,.badge.stale{background:#ffc9c9}.badge.ok{background:#d8f3dc}
nav a{margin-right:1rem}
@media (max-width:640px){
 thead{display:none}
 table,tbody,tr,td{display:block;width:auto}
 tr{margin:0 0 .8rem;border:1px solid #dde1e6;border-radius:.4rem;padding:.3rem}
 td{border:0;padding:.15rem .3rem}
 td::before{content:attr(data-h) ": ";color:#57606a}
 td.n{text-align:left}
}
</style>
</head>
<body>
<h1>exposer</h1>
<ul class="summary">
<li>${ready}</li>
<li>sources: <b id="sources">${data.sources.length}</b></li>
<li>series: <b id="series">${data.series}</b></li>
<li>timestamps: <b>${escapeHtml(data.mode)}</b></li>
<li>source TTL: <b>${escapeHtml(ttl)}</b></li>
</ul>
<nav><a href="metrics">/metrics</a><a href="api/v1/sources">/api/v1/sources</a><a href="-/ready">/-/ready</a></nav>
${
  sorted.length === 0
    ? '<p id="empty">No source has pushed yet.</p>'
    : `<table id="sources-table">
<thead><tr><th>job</th><th>instance</th><th>series</th><th>last push</th><th>state</th><th>partition</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}
</body>
</html>
`;
}
