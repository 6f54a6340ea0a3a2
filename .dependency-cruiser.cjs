// Import cycles in the product code, type-only imports included (eslint's import plugins skip those).
// The folder layering itself is enforced by eslint.config.js (no-restricted-imports per folder).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle, even through `import type`, means two modules are one concept split in two or a missing port.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Keep `import type` edges: they are part of the design even though they vanish at runtime.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
