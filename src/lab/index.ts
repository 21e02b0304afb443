// The lab's use-cases, one a file, called in-process by the CLI and by the daemon.
export * from './context.js';
export * from './load.js';
export * from './reconcile.js';
export * from './up.js';
export * from './live.js';
export * from './down.js';
export * from './status.js';
export * from './fault.js';
export * from './targets.js';
export * from './check.js';
export * from './test.js';
export * from './resync.js';
export * from './logs.js';
