// Boundary rules of Vigil (issue 11). Run: npm run check:boundaries. Picture: npm run docs:deps.
//
// Layers, bottom up: src/kernel (pure helpers) <- src/platform (event log, bus, reactions, app context)
// <- src/adapters/* (stores, streams, protocols, OSM, HTTP) <- capabilities <- src/app.ts, src/api, src/cli, src/demo.
// A capability is any folder src/<name>/ that is not one of the layer or entry folders below, so a new
// capability folder is covered without touching this file. Other code reaches a capability only through
// its public face: src/<cap>/index.ts (factory, what other server code needs) or src/<cap>/contract.ts
// (event map, read ports, DTOs and constants; cheap to import, the web UI bundles it).
//
// Not cruised: test/ and bench/ are harnesses that build whole apps and poke at internals on purpose
// (fixtures, fault injection, timings); holding them to the boundaries would only add exceptions.
// Test files inside src (*.test.ts) ARE checked: they may use their own capability's internals
// (same folder), and other capabilities only through their faces like any other code.
//
// Exceptions: every one is listed where it applies, with a one-line reason.

const NON_CAPABILITY = ['kernel', 'platform', 'adapters', 'api', 'cli', 'demo'];
const NOT_CAP = `(?!(?:${NON_CAPABILITY.join('|')})/)`;
/** Any file inside a capability folder; group 1 is the capability's name. */
const CAPABILITY = `^src/(${NOT_CAP}[^/]+)/`;
/** The public face of a capability. */
const FACE = `^src/${NOT_CAP}[^/]+/(?:index|contract)\\.ts$`;
const CONTRACT = `^src/${NOT_CAP}[^/]+/contract\\.ts$`;
const TEST_FILE = '\\.test\\.tsx?$';
/** Exception: a capability's test fixtures (test-support.ts) may be used by other capabilities' tests (shared small road networks, say). */
const TEST_SUPPORT = `^src/${NOT_CAP}[^/]+/test-support\\.ts$`;
/** Entry points that compose capabilities: the app factory and other top-level files, the HTTP API, the CLI, the demo. */
const ENTRY = '^src/(?:[^/]+\\.ts$|api/|cli/|demo/)';

/** Exceptions: kernel files (and code tables) the web UI may import directly. */
const WEB_ALLOWED_KERNEL = [
  // pure functions without node: imports (distance, bbox, time formatting) that contracts re-use too
  '^src/kernel/(?:geo|time)\\.ts$',
  // the platform's own face for the UI: the stored-event envelope the live feed sends, role names (types only)
  '^src/platform/contract\\.ts$',
  // data, not code: the alarm code texts in French, which the console loads on demand (a chunk of their own) for French readers
  '^src/alarms/codes/[^/]+\\.fr\\.json$',
];

module.exports = {
  forbidden: [
    // ---- cycles
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules (type-only and dynamic imports count: they still couple the files).',
      from: { path: '^(?:src|web/src)/' },
      to: { circular: true },
    },
    // Cycles between capability folders: see .dependency-cruiser.folders.cjs (run without test files).

    // ---- layers
    {
      name: 'kernel-is-leaf',
      severity: 'error',
      comment: 'src/kernel holds pure helpers and imports nothing else of src.',
      from: { path: '^src/kernel/' },
      to: { path: '^(?:src|web)/', pathNot: '^src/kernel/' },
    },
    {
      name: 'platform-only-kernel',
      severity: 'error',
      comment: 'src/platform builds on src/kernel only; it never knows a capability, an adapter or an entry point.',
      from: { path: '^src/platform/' },
      to: { path: '^(?:src|web)/', pathNot: '^src/(?:kernel|platform)/' },
    },
    {
      name: 'adapters-only-kernel-platform',
      severity: 'error',
      comment: 'src/adapters implement platform ports with outside technology; they never import a capability or an entry point.',
      from: { path: '^src/adapters/' },
      to: { path: '^(?:src|web)/', pathNot: '^src/(?:kernel|platform|adapters)/' },
    },
    {
      name: 'capability-not-to-entry',
      severity: 'error',
      comment:
        'Capabilities are composed by app.ts, api/, cli/ and demo/; they never import them back. ' +
        'Exception: *.test.ts files, which are integration tests that build the app (createApp, the API server, demo seed) like test/ does.',
      from: { path: CAPABILITY, pathNot: TEST_FILE },
      to: { path: ENTRY },
    },

    // ---- public faces
    {
      name: 'capability-via-face',
      severity: 'error',
      comment: "A capability imports another capability only through that one's index.ts or contract.ts " + '(its own files, tests included, are free).',
      from: { path: CAPABILITY },
      to: { path: CAPABILITY, pathNot: [`^src/$1/`, FACE, TEST_SUPPORT] },
    },
    {
      name: 'test-support-only-in-tests',
      severity: 'error',
      comment: "A capability's test-support.ts (fixtures) is for tests: production code never imports another capability's.",
      from: { path: CAPABILITY, pathNot: TEST_FILE },
      to: { path: TEST_SUPPORT },
    },
    {
      name: 'entry-via-face',
      severity: 'error',
      comment: 'app.ts, api/, cli/ and demo/ reach a capability only through its index.ts or contract.ts.',
      from: { path: ENTRY },
      to: { path: CAPABILITY, pathNot: FACE },
    },

    // ---- web UI
    {
      name: 'web-only-contracts',
      severity: 'error',
      comment: 'web/src imports server code only through capability contracts (types, constants, pure functions).',
      from: { path: '^web/' },
      to: { path: '^src/', pathNot: [CONTRACT, ...WEB_ALLOWED_KERNEL] },
    },
    {
      name: 'web-no-node-core',
      severity: 'error',
      comment: 'The web UI runs in the browser: no node: modules.',
      from: { path: '^web/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'contract-stays-light',
      severity: 'error',
      comment: 'contract.ts is bundled into the web UI: no node: modules and no runtime npm packages ' + '(type-only imports are erased and allowed).',
      from: { path: CONTRACT },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-not-to-web',
      severity: 'error',
      comment: 'Server code never imports the web UI.',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },

    // ---- hygiene
    {
      name: 'not-to-harness',
      severity: 'error',
      comment:
        'src and web/src never import the test/bench harnesses or scripts. ' +
        'Exception: *.test.ts files use the shared test support (test/support, test/e2e/browser.ts).',
      from: { path: '^(?:src|web/src)/', pathNot: TEST_FILE },
      to: { path: '^(?:test|bench|scripts)/' },
    },
    {
      name: 'not-to-test-file',
      severity: 'error',
      comment: 'Production code never imports a test file.',
      from: { path: '^(?:src|web/src)/', pathNot: TEST_FILE },
      to: { path: TEST_FILE },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Server production code (src/, tests excepted) must not need a devDependency at run time: ' +
        '`npm ci --omit=dev` would break it. Type-only imports are erased and allowed. ' +
        '(web/src is bundled by Vite, so its react/maplibre devDependencies are fine.)',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves to a file or an installed package.',
      from: { path: '^(?:src|web/src)/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: 'Every npm package used is declared in package.json (no reliance on a transitive install).',
      from: { path: '^(?:src|web/src)/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports count as dependencies: a type from another capability's internals couples just the same
    tsPreCompilationDeps: true,
    // resolution only (no paths/baseUrl here): .js specifiers resolve to the .ts sources
    tsConfig: { fileName: 'tsconfig.server.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      // npm run docs:deps: one box per layer, adapter, entry folder, capability and the web UI
      archi: {
        collapsePattern: '^(?:src/adapters/[^/]+|src/[^/]+|web/src)',
        theme: { graph: { rankdir: 'TB', splines: 'true', ranksep: '0.5' } },
      },
    },
  },
};
