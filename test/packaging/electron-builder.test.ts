// electron-builder.yml against electron-builder's own JSON schema (app-builder-lib/scheme.json), and
// the packaging facts the app relies on: the targets, and that the files it packs are what the build makes.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import { load as loadYaml } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
const config = loadYaml(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it("validates against electron-builder's schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const ok = validate(config);
    expect(ok, ajv.errorsText(validate.errors)).toBe(true);
  });

  it('an invalid configuration would fail the same check (the test can fail)', () => {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate({ ...config, asar: 'sometimes', linux: { target: 42 } })).toBe(false);
  });

  it('builds AppImage and deb, NSIS and dmg from what npm run build makes', () => {
    expect(config).toMatchObject({ appId: 'org.dicomnet.workstation', productName: 'DICOMnet Workstation', asar: true });
    expect((config.linux as { target: string[] }).target).toEqual(['AppImage', 'deb']);
    expect((config.win as { target: string[] }).target).toEqual(['nsis']);
    expect((config.mac as { target: string[] }).target).toEqual(['dmg']);
    expect((config.extraMetadata as { main: string }).main).toBe('dist/electron/main.cjs');
    // npm test builds before it tests: the entry points the package names exist.
    for (const f of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/app.js', 'dist/cli/dicomnet.cjs']) {
      expect(existsSync(f), f).toBe(true);
    }
  });
});
