/**
 * Import rules of ARCHITECTURE.md ("Which way imports go"), checked by `npm run lint`:
 *   depcruise src --config .dependency-cruiser.cjs
 * Type-only imports count too (tsPreCompilationDeps): a domain file that names a `pg` type
 * depends on `pg` as much as one that calls it.
 * The rule that only src/config/ reads process.env is in eslint.config.js (no-restricted-properties).
 */

/** Domain folders: business logic that must stay independent of adapters and transports. */
const DOMAIN = '^src/(tenancy|agents|tasks|contexts|workflows|webhooks|cluster|models|search|tools)/';

/** Adapters chosen by app.ts: storage drivers and work-queue / event-bus adapters. */
const STORAGE_DRIVERS = '^src/storage/drivers/';
const QUEUE_ADAPTERS = '^src/queue/([^/]*-adapter[^/]*|redis-[^/]+|memory-[^/]+)$';

/** Who may import adapters: the composition root and what starts it. */
const COMPOSITION = '^src/(app\\.ts|main\\.ts|cli/)';

/** Driver and framework packages (resolved into node_modules). */
const npm = (names) => `(^|/)node_modules/(${names})/`;
const DRIVER_PACKAGES = npm('pg|pg-[^/]+|ioredis|@electric-sql/[^/]+');
const HTTP_FRAMEWORK = npm('fastify|@fastify/[^/]+');
const WS_PACKAGE = npm('ws');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make initialisation order fragile; extract the shared part.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-to-adapters',
      severity: 'error',
      comment: 'Domain code talks to ports only; app.ts picks the adapter (storage drivers, queue adapters).',
      from: { path: DOMAIN },
      to: { path: [STORAGE_DRIVERS, QUEUE_ADAPTERS] },
    },
    {
      name: 'domain-not-to-transport',
      severity: 'error',
      comment: 'Domain code knows no sockets or HTTP: transports call the domain, never the reverse.',
      from: { path: DOMAIN },
      to: { path: '^src/transport/' },
    },
    {
      name: 'domain-not-to-drivers-or-frameworks',
      severity: 'error',
      comment: 'Domain code never imports ws, the HTTP framework, pg, ioredis or PGlite.',
      from: { path: DOMAIN },
      to: { path: [WS_PACKAGE, HTTP_FRAMEWORK, DRIVER_PACKAGES] },
    },
    {
      name: 'protocol-not-to-transport',
      severity: 'error',
      comment: 'protocol/ is transport-agnostic: it imports domain entry points and errors/, never transport/.',
      from: { path: '^src/protocol/' },
      to: { path: ['^src/transport/', WS_PACKAGE, HTTP_FRAMEWORK] },
    },
    {
      name: 'adapters-not-to-domain',
      severity: 'error',
      comment: 'Adapters import ports, lib, errors and their own driver, never domain services.',
      from: { path: [STORAGE_DRIVERS, QUEUE_ADAPTERS] },
      to: { path: [DOMAIN, '^src/(protocol|transport|worker|cli)/', '^src/(app|main)\\.ts$'] },
    },
    {
      name: 'only-composition-root-picks-adapters',
      severity: 'error',
      comment: 'Only src/app.ts (and main.ts / cli/, which start it) choose and import adapters.',
      from: { path: '^src/', pathNot: [COMPOSITION, STORAGE_DRIVERS, QUEUE_ADAPTERS] },
      to: { path: [STORAGE_DRIVERS, QUEUE_ADAPTERS] },
    },
    {
      name: 'driver-packages-only-in-adapters',
      severity: 'error',
      comment: 'pg, ioredis and PGlite are used only by the storage drivers and queue adapters (and wired in app.ts).',
      from: { path: '^src/', pathNot: [COMPOSITION, STORAGE_DRIVERS, QUEUE_ADAPTERS] },
      to: { path: DRIVER_PACKAGES },
    },
    {
      name: 'http-framework-only-in-transport-http',
      severity: 'error',
      comment: 'transport/http is the only user of the HTTP framework.',
      from: { path: '^src/', pathNot: '^src/transport/http/' },
      to: { path: HTTP_FRAMEWORK },
    },
    {
      name: 'lib-is-self-contained',
      severity: 'error',
      comment: 'lib/ holds small pure helpers: it imports nothing from other src folders.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve (a typo, a missing package) would fail at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment: 'Production code under src/ must not need a devDependency at run time (type-only imports excepted).',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|\\.devmesh)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // NodeNext ESM: dependency-cruiser resolves a `./x.js` specifier to `./x.ts` when no .js exists.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    moduleSystems: ['es6', 'cjs'],
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
