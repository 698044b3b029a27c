export * from './catalogue.js';
export * from './devmesh-error.js';
export * from './projection.js';
export * from './zod-issues.js';
