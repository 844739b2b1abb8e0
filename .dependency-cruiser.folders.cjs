// Folder-level cycles between capabilities and layers (issue 11): a second pass over production code only.
// Test files are left out on purpose: an integration test in src/alarms that builds the whole app imports
// every capability, which would turn each capability folder into a cycle with the others.
// Module-level cycles, layers and public faces are checked by .dependency-cruiser.cjs.
const base = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment:
        'No cycles between top-level folders (capability A imports B and B imports A, also through their faces; ' +
        'platform <-> audit): one side owns the shared piece, or it moves down to platform/. ' +
        'Cycles between sub-folders of one capability or of web/src are left to the module-level no-circular rule.',
      scope: 'folder',
      from: { path: '^(src/[^/]+|web/src)' },
      to: { circular: true, pathNot: '^$1' },
    },
  ],
  options: {
    ...base.options,
    includeOnly: '^(?:src|web/src)/',
    exclude: { path: '\\.test\\.tsx?$' },
  },
};
