// ESLint flat config: typescript-eslint's type-aware recommended rules over every TypeScript file,
// Prettier owning the layout (eslint-config-prettier turns off the rules it would fight).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// The browser globals the console's scripts use (the `globals` package is not a dependency).
const BROWSER_GLOBALS = [
  'atob',
  'btoa',
  'crypto',
  'document',
  'Event',
  'fetch',
  'FormData',
  'Node',
  'queueMicrotask',
  'setTimeout',
  'TextDecoder',
  'TextEncoder',
  'URL',
  'URLSearchParams',
  'window',
];

// The Node globals of a CommonJS script.
const NODE_COMMONJS_GLOBALS = ['__dirname', '__filename', 'Buffer', 'clearTimeout', 'console', 'exports', 'module', 'process', 'require', 'setTimeout'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'test-artifacts/', '.data/', 'bench/results/', 'src/console/public/vendor/', 'client/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { id: _id, ...rest } = row` is how a copy loses a member: the named sibling is unused by design.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Small files and functions (docs/contributing.md): a checklist of rules may be longer, and says so where it is.
    files: ['src/**/*.ts', 'src/console/public/**/*.js'],
    ignores: ['**/*.spec.ts', 'src/database/migrations/**', 'src/console/public/vendor/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The console: ES modules loaded by index.html (<script type="module">), run in the browser.
    files: ['src/console/public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(BROWSER_GLOBALS.map((name) => [name, 'readonly'])),
    },
  },
  {
    // CommonJS scripts run by Node itself (jest's config, `npm start`'s build): `require` is how they import.
    files: ['jest.config.js', 'tools/**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(NODE_COMMONJS_GLOBALS.map((name) => [name, name === 'module' || name === 'exports' ? 'writable' : 'readonly'])),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // supertest's `res.body` (and JSON parsed from responses) is `any` by design; tests and benches read it freely.
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  prettier,
);
