/**
 * The one-massive-target cost, said as Prometheus behaves: scrape_timeout bounds the HTTP fetch only (scrape.go
 * scrapeAndReport: parsing and the TSDB append run after the timeout's cancel; scrape_duration_seconds counts them).
 * The rules' messages and their pages must not say that parsing or ingestion happens within the timeout.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rules } from './index.js';

const ids = ['single-massive-target', 'federation-scrape-all', 'architecture-queue'];
const WRONG = /(pars\w*|ingest\w*)[^.;]*within (?:one |the )?(?:scrape[ _]timeout|`scrape_timeout`)/i;
const RIGHT = /within `?scrape_timeout`? or the scrape fails/;

describe('what scrape_timeout bounds', () => {
  for (const id of ids) {
    const rule = rules.find((r) => r.meta.id === id);
    it(`${id}: every message naming the timeout says the fetch must finish within it, not the parse`, () => {
      const messages = Object.values(rule?.meta.messages ?? {}).filter((m) => /timeout/i.test(m));
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        expect(message).not.toMatch(WRONG);
        expect(message).toMatch(RIGHT);
        expect(message).toMatch(/then parses and ingests/);
      }
    });
    it(`docs/rules/${id}.md says the same`, () => {
      const page = readFileSync(new URL(`../../docs/rules/${id}.md`, import.meta.url), 'utf8').replace(
        /\s+/g,
        ' ',
      );
      expect(page).not.toMatch(WRONG);
      expect(page).toMatch(RIGHT);
    });
  }
});
