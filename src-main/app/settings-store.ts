// Settings on disk: one JSON file in the app's data folder, validated by the shared schema. A file
// that does not parse or does not validate is never overwritten: it is kept aside under a new name,
// the defaults are used, and `problem` says what was wrong and where the old file went. Writes go to
// a temporary file renamed over the old one, so a crash never leaves half a settings file.
//
// The Electron app keeps the same file format (its store is handed this validation); the CLI, the
// browser bridge and the tests use this store directly.

import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, describeProblems, validateSettings, type Settings } from '../../src-shared/settings-schema';
import { makeDirsSync } from '../dicomnet/services/storage/make-dirs';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

export interface SettingsStoreEvents {
  changed: [settings: Settings];
}

export class SettingsStore extends EventEmitter<SettingsStoreEvents> {
  private current: Settings = DEFAULT_SETTINGS;
  /** Set when the file on disk could not be used: what was wrong, and where it was put. */
  problem: string | undefined;

  constructor(readonly path: string) {
    super();
    this.load();
  }

  get settings(): Settings {
    return this.current;
  }

  private load(): void {
    if (!existsSync(this.path)) {
      this.current = DEFAULT_SETTINGS;
      return;
    }
    let raw: unknown;
    let why: string | undefined;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      why = `it is not valid JSON (${(err as Error).message})`;
    }
    if (!why) {
      const v = validateSettings(raw);
      if (v.ok) {
        this.current = v.value;
        return;
      }
      why = `it does not validate: ${describeProblems(v.problems)}`;
    }
    const aside = `${this.path}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.path, aside);
    this.current = DEFAULT_SETTINGS;
    this.problem = `The settings file ${this.path} could not be used because ${why}. It was kept as ${aside}; the defaults are in use.`;
  }

  /** Validates and saves; throws SettingsError naming the fields when `next` is not valid. */
  save(next: unknown): Settings {
    const v = validateSettings(next);
    if (!v.ok) throw new SettingsError(`Settings not saved: ${describeProblems(v.problems)}`);
    makeDirsSync(dirname(this.path));
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(v.value, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
    this.current = v.value;
    this.emit('changed', v.value);
    return v.value;
  }

  update(change: (s: Settings) => unknown): Settings {
    return this.save(change(this.current));
  }
}
