// Measurements for `podlab compare` (effectful): each takes plain inputs — namespace names, addresses, an
// Executor — and returns numbers, or throws a MeasureError saying what could not be measured and why.
export * from './common.js';
export * from './stats.js';
export * from './pcap.js';
export * from './overhead.js';
export * from './mtu.js';
export * from './latency.js';
export * from './throughput.js';
export * from './dataplane.js';
export * from './convergence.js';
