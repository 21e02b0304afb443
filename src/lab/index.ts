// The lab's use-cases, called in-process by the CLI (and by the daemon): one import for callers.
export * from './lab.js';
export * from './check.js';
