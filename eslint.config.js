// Lint rules, including the direction of dependency from ../shared/design.md:
// src-shared imports nothing of the project; dicomnet never imports app/electron/bridge/cli;
// only src-main/electron imports 'electron'; src-main and src-renderer never import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (...patterns) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map(([group, message]) => ({ group, message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'out/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src-main/**'],
    ignores: ['src-main/electron/**'],
    rules: restrict([['electron'], 'only src-main/electron/ may import electron'], [['**/src-renderer/**'], 'src-main never imports the renderer']),
  },
  {
    files: ['src-main/dicomnet/**'],
    rules: restrict(
      [['electron'], 'dicomnet is the protocol stack: no electron'],
      [['**/app/**', '**/app', '**/electron/**', '**/bridge/**', '**/cli/**'], 'dicomnet never imports app, electron, bridge or cli (layers only look down)'],
      [['**/src-renderer/**'], 'src-main never imports the renderer'],
    ),
  },
  {
    files: ['src-main/dicomnet/pdu/**'],
    rules: restrict(
      [['electron'], 'no electron'],
      [['../ul/**', '../ul', '../acse/**', '../dimse/**', '../services/**', '../transport/**', '../dicom-net', '../association'], 'pdu is the bottom layer of dicomnet'],
    ),
  },
  {
    files: ['src-main/dicomnet/part10/**'],
    rules: restrict(
      [['electron'], 'no electron'],
      [['../pdu/**', '../ul/**', '../acse/**', '../dimse/**', '../services/**', '../transport/**', '../dicom-net', '../association', '../connection'], 'part10 (files and data sets) is a bottom layer of dicomnet: Node and dcmjs only'],
    ),
  },
  {
    files: ['src-main/dicomnet/ul/**'],
    rules: restrict(
      [['electron'], 'no electron'],
      [['../acse/**', '../dimse/**', '../services/**', '../dicom-net', '../association'], 'ul looks only down (pdu)'],
    ),
  },
  {
    files: ['src-main/app/**'],
    rules: restrict([['electron'], 'app is plain Node'], [['**/electron/**', '**/bridge/**', '**/cli/**'], 'app never imports electron, bridge or cli']),
  },
  {
    files: ['src-main/bridge/**'],
    rules: restrict([['electron'], 'the bridge runs without electron'], [['**/electron/**', '**/cli/**'], 'bridge, electron and cli are siblings over app: none imports another']),
  },
  {
    files: ['src-main/electron/**'],
    rules: restrict([['**/bridge/**', '**/cli/**'], 'bridge, electron and cli are siblings over app: none imports another'], [['**/src-renderer/**'], 'src-main never imports the renderer']),
  },
  {
    files: ['src-shared/**'],
    rules: restrict(
      [['node:*', 'fs', 'net', 'tls', 'path', 'os', 'crypto', 'events', 'electron', 'dcmjs', 'react', 'react-dom'], 'src-shared imports neither Node, DOM nor libraries'],
      [['**/src-main/**', '**/src-renderer/**', '../*'], 'src-shared imports nothing of the project'],
    ),
  },
  {
    files: ['src-renderer/**'],
    rules: restrict([['**/src-main/**', 'node:*', 'electron'], 'the renderer talks only to api.ts']),
  },
);
