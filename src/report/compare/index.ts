// The mode comparison's report (pure): model and renderers.
export * from './types.js';
export { buildReport, modeReport, relativeOf, SCHEMA } from './model.js';
export { parityOf, rowKey, normalizeBasis } from './parity.js';
export { renderText } from './text.js';
export { renderMarkdown } from './markdown.js';
export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { chartsOf } from './charts.js';
