// Private keys at rest sealed by the OS keychain through Electron's safeStorage (DPAPI on Windows,
// the Keychain on macOS, libsecret/kwallet on Linux). Where only Chromium's built-in fallback
// ('basic_text') is available, sealing adds nothing: the key is kept by file permissions alone, and
// the Certificates page says so.

import { safeStorage } from 'electron';
import { FILE_PERMISSIONS_ONLY, type KeyProtector } from '../app/certificates/cert-store';

export function safeStorageProtector(): KeyProtector {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (!safeStorage.isEncryptionAvailable() || backend === 'basic_text') return FILE_PERMISSIONS_ONLY;
  return {
    kind: 'os-keychain',
    encrypt: (plain) => safeStorage.encryptString(plain.toString('latin1')),
    decrypt: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'latin1'),
  };
}
