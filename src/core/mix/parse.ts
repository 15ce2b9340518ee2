import { isExperimentFileText } from '../experiments/fileKind';
import { DEFAULT_MAX_BYTES, parseMixText, utf8ByteLength } from './parseText';
import { parseStructuredMix } from './structured';
import type { ParseResult } from './types';

/** True when the file name (or, without one, the text) selects the structured JSON format. */
export function isStructuredMix(text: string, fileName?: string): boolean {
  if (fileName !== undefined && fileName !== '') return /\.json$/i.test(fileName);
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}

/**
 * Parses a prompt mix: `*.superposition.json` / `*.json` files (or, without a file name, text starting with `{`)
 * as the structured format, anything else as the paper's text format. Never throws.
 */
export function parseMix(text: string, fileName?: string): ParseResult {
  if (!isStructuredMix(text, fileName)) return parseMixText(text);
  // Too large a file gets its size diagnostic (from the structured parser), not a JSON.parse first.
  // (A string never has fewer UTF-8 bytes than UTF-16 units.)
  if (text.length <= DEFAULT_MAX_BYTES && utf8ByteLength(text) <= DEFAULT_MAX_BYTES && isExperimentFileText(text)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'experiment-file',
          message:
            'this is an experiment file (it has an `experiment` property), not a prompt mix: run it with "Superposition: Run Experiment File" or `superposition scale|calibrate --plan FILE`',
          line: 1,
          column: 1,
        },
      ],
    };
  }
  return parseStructuredMix(text);
}
