import { describe, expect, it } from 'vitest';
import {
  ARENA_BYTES,
  mappingKinds,
  parseMallocInfo,
  parseRollup,
  parseSmaps,
  parseVariants,
  printedValue,
} from './p4-memory.js';

describe('parseVariants', () => {
  it('splits environment and Node flags; an empty variant is the default', () => {
    expect(parseVariants('|MALLOC_ARENA_MAX=2|--max-semi-space-size=4 A_B=x=y')).toEqual([
      { label: '(default)', env: {}, execArgv: [] },
      { label: 'MALLOC_ARENA_MAX=2', env: { MALLOC_ARENA_MAX: '2' }, execArgv: [] },
      {
        label: '--max-semi-space-size=4 A_B=x=y',
        env: { A_B: 'x=y' },
        execArgv: ['--max-semi-space-size=4'],
      },
    ]);
    expect(parseVariants('  ')).toEqual([{ label: '(default)', env: {}, execArgv: [] }]);
    expect(parseVariants('EMPTY=')).toEqual([{ label: 'EMPTY=', env: { EMPTY: '' }, execArgv: [] }]);
  });

  it('refuses a token that is neither NAME=VALUE nor a flag', () => {
    for (const bad of ['plain', '=1', '1A=2', 'A-B=1', '-x']) {
      expect(() => parseVariants(bad)).toThrow(`variant token "${bad}" is neither NAME=VALUE nor a --flag`);
    }
  });
});

describe('parseRollup', () => {
  it('reads the kB fields in bytes and skips the rest', () => {
    const text =
      '55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:  1024 kB\nAnonymous:  3 kB\nVmFlags: rd\nBad: x kB\n';
    expect(parseRollup(text)).toEqual({ Rss: 1024 * 1024, Anonymous: 3072 });
    expect(parseRollup('')).toEqual({});
  });
});

const hex = (n: number): string => n.toString(16);

function mapping(start: number, end: number, path: string, rssKiB: number): string {
  return `${hex(start)}-${hex(end)} rw-p 00000000 00:00 0 ${path}\nSize: ${(end - start) / 1024} kB\nRss: ${rssKiB} kB\n`;
}

describe('parseSmaps and mappingKinds', () => {
  it('counts a 64 MiB aligned run of anonymous mappings as a glibc thread arena', () => {
    const base = ARENA_BYTES * 3;
    const smaps = [
      mapping(0x1000, 0x2000, '/usr/bin/node', 4),
      mapping(0x10000, 0x20000, '[heap]', 64),
      mapping(base, base + 0x200000, '', 2048),
      mapping(base + 0x200000, base + ARENA_BYTES, '', 0),
      mapping(base + ARENA_BYTES + 0x1000, base + ARENA_BYTES + 0x3000, '', 8),
      mapping(0x7ff000000000, 0x7ff000021000, '[stack]', 132),
    ].join('');
    const parsed = parseSmaps(smaps);
    expect(parsed).toHaveLength(6);
    expect(parsed[1]).toEqual({ start: 0x10000, end: 0x20000, path: '[heap]', rss: 65536 });
    expect(mappingKinds(parsed)).toEqual({
      brkHeap: 64 * 1024,
      threadArenas: 2048 * 1024,
      otherAnon: 8 * 1024,
      files: 4 * 1024,
      stacksAndOther: 132 * 1024,
    });
  });

  it('does not take an aligned mapping that fills no whole reservation for an arena', () => {
    const base = ARENA_BYTES * 5;
    const smaps = mapping(base, base + 0x400000, '', 100) + mapping(base + 0x500000, base + 0x600000, '', 7);
    expect(mappingKinds(parseSmaps(smaps))).toMatchObject({ threadArenas: 0, otherAnon: 107 * 1024 });
    expect(parseSmaps('not smaps\nRss: 4 kB\n')).toEqual([]);
  });
});

const MALLOC_INFO = `<malloc version="1">
<heap nr="0">
<sizes>
  <size from="17" to="32" total="64" count="2"/>
</sizes>
<total type="fast" count="2" size="64"/>
<total type="rest" count="3" size="7000"/>
<system type="current" size="135168"/>
<system type="max" size="135168"/>
<aspace type="total" size="135168"/>
<aspace type="mprotect" size="135168"/>
</heap>
<heap nr="1">
<sizes>
</sizes>
<total type="fast" count="0" size="0"/>
<total type="rest" count="1" size="100"/>
<system type="current" size="200000"/>
<system type="max" size="200000"/>
<aspace type="total" size="200000"/>
<aspace type="mprotect" size="200000"/>
</heap>
<total type="fast" count="2" size="64"/>
<total type="rest" count="4" size="7100"/>
<total type="mmap" count="1" size="8392704"/>
<system type="current" size="335168"/>
<system type="max" size="335168"/>
<aspace type="total" size="335168"/>
<aspace type="mprotect" size="335168"/>
</malloc>
`;

describe('parseMallocInfo', () => {
  it('reads the totals, the main arena and the mmap()ed blocks', () => {
    expect(parseMallocInfo(MALLOC_INFO)).toEqual({
      arenaSystem: 335168,
      arenaFree: 7164,
      arenas: 2,
      mainSystem: 135168,
      mainFree: 7064,
      mmapChunks: 1,
      mmapBytes: 8392704,
    });
  });

  it('refuses what is not a malloc_info document, or one without its totals', () => {
    expect(() => parseMallocInfo('')).toThrow('not a malloc_info document: ""');
    expect(() => parseMallocInfo('<html></html>')).toThrow('not a malloc_info document');
    expect(() =>
      parseMallocInfo(MALLOC_INFO.replace('<total type="mmap" count="1" size="8392704"/>', '')),
    ).toThrow('malloc_info: no <total type="mmap" count=...>');
  });
});

describe('printedValue', () => {
  it('finds a named value on a line of its own, NaN when gdb printed none', () => {
    const output = '$1 = (void *) 0x55\n$2 = 0\nmmap_threshold 3391488\ntrim_threshold 6782976\n';
    expect(printedValue(output, 'mmap_threshold')).toBe(3391488);
    expect(printedValue(output, 'trim_threshold')).toBe(6782976);
    expect(printedValue('No symbol "mp_" in current context.\n', 'mmap_threshold')).toBeNaN();
  });
});
