/** The public API of the exposition module: parse (callbacks, whole text, async iterable) and render. */
export { ExpositionParser, parseText, parseStream, detectFormat, formatFromContentType } from './parse.js';
export {
  render,
  renderChunks,
  renderFamily,
  renderSeriesPrefix,
  renderMetricName,
  openMetricsFamilyName,
  formatValue,
  formatTimestamp,
  escapeLabelValue,
  escapeHelp,
  contentTypeFor,
  negotiateFormat,
  TEXT_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
} from './render.js';
export type { LabelInput, RenderOptions } from './render.js';
export { isValidMetricName, isValidLabelName, isValidUtf8Name } from './names.js';
export { collectFamilies } from './model.js';
export { parseDuration, formatDuration } from './duration.js';
export type * from './types.js';
