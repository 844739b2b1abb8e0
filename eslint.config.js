// ESLint (flat config): JavaScript and typescript-eslint recommended rules (syntax-only, no type information:
// the type-aware presets cost a full program build per run), the React hooks rules for the web UI, and
// eslint-config-prettier last so no rule fights the formatter. Formatting is Prettier's job (npm run format).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'web/dist/', 'dist-server/', 'data/', '.tmp/', 'assets/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // server, CLI, tests, benchmarks and build scripts run on Node
    files: ['src/**', 'test/**', 'bench/**', 'scripts/**', 'bin/**', '*.{js,cjs,mjs,ts}', 'web/vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // Off: it flags every load-on-mount and polling effect (fetch, then setState), the UI's data-loading pattern;
      // the React Compiler it prepares for is not used here.
      'react-hooks/set-state-in-effect': 'off',
    },
  },
  {
    files: ['web/public/**/*.js'],
    languageOptions: { globals: globals.serviceworker },
  },
  {
    rules: {
      eqeqeq: ['error', 'smart'],
      'object-shorthand': 'error',
      // `import type` for types, so a type-only import is erased under isolatedModules and never loads a module
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // `_name` marks a parameter or binding kept for its position or to drop a property: `({ secret: _s, ...rest })`
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  prettier,
);
