import { githubReporter } from './github.js';
import { jsonReporter } from './json.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';
import type { FormatName, Reporter } from './types.js';

export { FORMATS } from './types.js';
export type { FormatName, Reporter, ReporterContext } from './types.js';

export const reporters: Readonly<Record<FormatName, Reporter>> = {
  text: textReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
};
