// The direction of dependency of ../shared/design.md, enforced by ESLint (eslint.config.js): these
// cases run the real lint configuration on imports that break the rules, and on ones that keep them.

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rules', () => {
  it.each([
    ['src-main/dicomnet/connection.ts', "import { verifyPeer } from '../app/verify';\nexport const x = verifyPeer;"],
    ['src-main/dicomnet/services/x.ts', "import { runEcho } from '../../cli/echo';\nexport const x = runEcho;"],
    ['src-main/dicomnet/pdu/x.ts', "import { step } from '../ul/machine';\nexport const x = step;"],
    ['src-main/dicomnet/ul/x.ts', "import { echo } from '../services/echo';\nexport const x = echo;"],
    ['src-main/app/x.ts', "import { app } from 'electron';\nexport const x = app;"],
    ['src-shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['src-shared/x.ts', "import { echo } from '../src-main/dicomnet/services/echo';\nexport const x = echo;"],
    ['src-renderer/x.ts', "import { echo } from '../src-main/dicomnet/services/echo';\nexport const x = echo;"],
  ])('%s may not: %s', async (file, code) => {
    expect(await violations(file, code)).not.toEqual([]);
  });

  it.each([
    ['src-main/dicomnet/connection.ts', "import { step } from './ul/machine';\nexport const x = step;"],
    ['src-main/app/x.ts', "import { echo } from '../dicomnet/services/echo';\nexport const x = echo;"],
    ['src-main/cli/x.ts', "import { verifyPeer } from '../app/verify';\nexport const x = verifyPeer;"],
    ['src-main/dicomnet/acse/x.ts', "import { sameAeTitle } from '../../../src-shared/ae-title';\nexport const x = sameAeTitle;"],
  ])('%s may: %s', async (file, code) => {
    expect(await violations(file, code)).toEqual([]);
  });
});
