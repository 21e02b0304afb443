// report.json (pure): the report model as it is, with a schema tag; docs/compare.md documents every field.
import type { CompareReport } from './types.js';

export function renderJson(r: CompareReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
