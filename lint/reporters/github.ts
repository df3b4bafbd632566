/** GitHub Actions workflow commands: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`. */
import { relative, sep } from 'node:path';
import type { Reporter } from './types.js';

/** Escaping of workflow command data (the message). */
export const escapeData = (s: string): string =>
  s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Escaping of workflow command properties (file, title). */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function repoPath(filePath: string, cwd: string): string {
  if (/^[a-z]+:\/\//i.test(filePath) || filePath.startsWith('<')) return filePath;
  return relative(cwd, filePath).split(sep).join('/');
}

export const githubReporter: Reporter = (results, { cwd }) => {
  let out = '';
  for (const result of results) {
    const file = escapeProperty(repoPath(result.filePath, cwd));
    for (const m of result.messages) {
      const command = m.severity === 'error' ? 'error' : 'warning';
      const props = `file=${file},line=${m.line},col=${m.column},endLine=${m.endLine},endColumn=${m.endColumn},title=${escapeProperty(`scrapelint ${m.ruleId}`)}`;
      out += `::${command} ${props}::${escapeData(`${m.message} (${m.ruleId})`)}\n`;
    }
  }
  return out;
};
