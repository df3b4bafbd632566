/** Renders a sample's series as `name{label="value",...}` for messages, escaped as in the text format, bounded. */
import type { SampleEvent } from '../../exposition/types.js';

const MAX_LENGTH = 200;

function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function seriesText(sample: Pick<SampleEvent, 'name' | 'labels'>): string {
  let text = sample.name;
  if (sample.labels.length > 0) {
    text += `{${sample.labels.map((label) => `${label.name}="${escapeLabelValue(label.value)}"`).join(',')}}`;
  }
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
