import { describe, expect, it } from 'vitest';
import { collectGarbage, waitFor } from './child-ipc.js';

describe('bench/child-ipc', () => {
  it('waitFor resolves once the condition holds and names what it waited for on timeout', async () => {
    let polls = 0;
    await waitFor(() => ++polls >= 3, 1000, 'three polls', 1);
    expect(polls).toBe(3);
    await expect(waitFor(() => false, 20, 'exposer child: 5 records', 1)).rejects.toThrow(
      'exposer child: 5 records not reached within 20 ms',
    );
  });

  it('collectGarbage is harmless without --expose-gc', () => {
    expect(() => collectGarbage()).not.toThrow();
  });
});
