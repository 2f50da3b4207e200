// Settings on disk: one JSON file in the app's data folder, validated by the shared schema. A file
// that does not parse or does not validate is never overwritten: it is kept aside under a new name,
// the defaults are used, and `problem` says what was wrong and where the old file went. Writes go to
// a temporary file renamed over the old one, so a crash never leaves half a settings file.
//
// Where the JSON lives is a backend: a plain file here (the CLI, the browser bridge, the tests), and
// electron-store in the Electron app (src-main/electron/settings-backend.ts). Both hold the same JSON,
// validated by the same schema, with the same keep-aside rule.

import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, describeProblems, validateSettings, type Settings } from '../../src-shared/settings-schema';
import { makeDirsSync } from '../dicomnet/services/storage/make-dirs';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Where the settings JSON is kept. */
export interface SettingsBackend {
  /** The file holding it (named in messages, renamed when kept aside). */
  readonly path: string;
  /** The stored value; undefined when there is none yet; throws when it does not parse. */
  read(): unknown;
  write(settings: Settings): void;
}

/** A JSON file, written to a temporary file and renamed over the old one. */
export function fileBackend(path: string): SettingsBackend {
  return {
    path,
    read: () => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as unknown : undefined),
    write(settings) {
      makeDirsSync(dirname(path));
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, path);
    },
  };
}

export interface SettingsStoreEvents {
  changed: [settings: Settings];
}

export class SettingsStore extends EventEmitter<SettingsStoreEvents> {
  private current: Settings = DEFAULT_SETTINGS;
  /** Set when the file on disk could not be used: what was wrong, and where it was put. */
  problem: string | undefined;

  private readonly backend: SettingsBackend;

  /** A settings file at `path`, or any other backend (electron-store in the app). */
  constructor(where: string | SettingsBackend) {
    super();
    this.backend = typeof where === 'string' ? fileBackend(where) : where;
    this.load();
  }

  get path(): string {
    return this.backend.path;
  }

  get settings(): Settings {
    return this.current;
  }

  private load(): void {
    let raw: unknown;
    let why: string | undefined;
    try {
      raw = this.backend.read();
    } catch (err) {
      why = `it is not valid JSON (${(err as Error).message})`;
    }
    if (!why && raw === undefined) {
      this.current = DEFAULT_SETTINGS;
      return;
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
    this.backend.write(v.value);
    this.current = v.value;
    this.emit('changed', v.value);
    return v.value;
  }

  update(change: (s: Settings) => unknown): Settings {
    return this.save(change(this.current));
  }
}
