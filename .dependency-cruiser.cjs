// The layering of the code, as rules dependency-cruiser checks (test/server/layers.test.ts runs it under npm test);
// docs/layout.md says the same in prose. Layers, top to bottom, each importing only its own and lower ones:
//   main.ts → server.ts (the composition root) → app.ts → routes/, console/, auth/, limits.ts (HTTP)
//   → services/ → store/, airwallex/, wechat/, merchant/, telemetry.ts (adapters: never each other, telemetry aside)
//   → the foundation (contract, errors, money, config, …: imports nothing above it).
// The simulator (server/simulator/) is reached over HTTP only: server.ts mounts it, its own main.ts runs it alone.
// Type-only imports count like any other: a type from a higher layer is an arrow back up all the same.

/** The foundation: modules any layer may import, which import only each other. */
const FOUNDATION =
  '^server/(contract|contract-admin|errors|money|logger|timing|text|catalogue|node-version|config|config-types|config-safety|config-notifications|config-reconciliation)\\.ts$|' +
  '^server/(signature|config-events|catalogue-file|sqlite-checkpointer|deadline)\\.ts$';
const ADAPTERS = '^server/(store|airwallex|wechat|merchant)/|^server/telemetry\\.ts$';
const HTTP = '^server/(routes|console|auth)/|^server/limits\\.ts$';
const ROOT = '^server/(app|server|main)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import circle anywhere in server/, miniprogram/ or scripts/ (type-only imports included).',
      severity: 'error',
      from: { path: '^(server|miniprogram|scripts)/' },
      to: { circular: true },
    },
    {
      name: 'foundation-imports-foundation',
      comment:
        'contract, errors, money, config … import only each other: no layer above (config.ts reaches the simulator only through no-simulator-outside-root).',
      severity: 'error',
      from: { path: FOUNDATION },
      to: { path: '^server/', pathNot: [FOUNDATION, '^server/simulator/settings\\.ts$'] },
    },
    {
      name: 'adapters-not-up',
      comment: 'The store and the Airwallex and WeChat clients never import services, the HTTP layer or the composition root.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: `^server/services/|${HTTP}|${ROOT}` },
    },
    {
      name: 'adapters-apart',
      comment: 'Each adapter stands alone: the store never imports a client, a client never the store or another client (telemetry reads the store).',
      severity: 'error',
      from: { path: '^server/(store|airwallex|wechat|merchant)/' },
      to: { path: '^server/(store|airwallex|wechat|merchant)/', pathNot: '^server/$1/' },
    },
    {
      name: 'services-not-up',
      comment: 'Services never import the HTTP layer (routes, console, auth, limits) or the composition root.',
      severity: 'error',
      from: { path: '^server/services/' },
      to: { path: `${HTTP}|${ROOT}` },
    },
    {
      name: 'http-not-up',
      comment: 'Routes, the console and admin authentication never import app.ts, server.ts or main.ts.',
      severity: 'error',
      from: { path: HTTP },
      to: { path: ROOT },
    },
    {
      name: 'root-from-above-only',
      comment: 'server.ts is imported by main.ts only, app.ts by server.ts only (scripts and tests aside).',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(main|server)\\.ts$' },
      to: { path: '^server/(app|server|main)\\.ts$' },
    },
    {
      name: 'no-simulator-outside-root',
      comment:
        'Only the composition root (server.ts, loading it in simulator mode) imports the simulator; config.ts asks its settings through one function (a require in simulator mode only), whose type config-types.ts names.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(simulator/|server\\.ts$|config(-types)?\\.ts$)' },
      to: { path: '^server/simulator/' },
    },
    {
      name: 'config-asks-simulator-settings-only',
      comment: 'config.ts (and the shape it returns) reach the simulator through its settings module and nothing else.',
      severity: 'error',
      from: { path: '^server/config(-types)?\\.ts$' },
      to: { path: '^server/simulator/', pathNot: '^server/simulator/settings\\.ts$' },
    },
    {
      name: 'simulator-over-http',
      comment: "The simulator is Airwallex's and WeChat's stand-in: it imports only itself and the foundation, never the app.",
      severity: 'error',
      from: { path: '^server/simulator/' },
      to: { path: '^server/', pathNot: ['^server/simulator/', FOUNDATION] },
    },
    {
      name: 'server-not-scripts-or-tests',
      comment: 'Nothing in server/ imports scripts/ or test/.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(scripts|test|jest)/' },
    },
    {
      name: 'miniprogram-alone',
      comment: 'The mini program imports only itself and server/contract.ts (no package, no Node module, no other server file).',
      severity: 'error',
      from: { path: '^miniprogram/' },
      to: { pathNot: ['^miniprogram/', '^server/contract\\.ts$'] },
    },
    {
      name: 'miniprogram-contract-types-only',
      comment: 'The mini program imports server/contract.ts with `import type` only: nothing of the server is bundled.',
      severity: 'error',
      from: { path: '^miniprogram/' },
      to: { path: '^server/contract\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser: swc parses, and still tells type-only imports apart.
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    moduleSystems: ['cjs', 'es6'],
  },
};
