// Small text helpers for certificates: dates, fingerprints, comma/line lists.

/** "2026-03-01 12:00 UTC" from an ISO 8601 date (the text as given if it is not one). */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '?';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "AB:CD:EF:01…9A:BC": enough to tell certificates apart at a glance (the full one in a tooltip). */
export function shortFingerprint(fp: string): string {
  return fp.length > 20 ? `${fp.slice(0, 11)}…${fp.slice(-5)}` : fp;
}

/** Items of a comma-separated text, trimmed, empty ones dropped. */
export function commaList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Lines of a text (file paths, one per line), trimmed, empty ones dropped. */
export function lineList(text: string): string[] {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** "RSA 2048 bits", "EC P-256". */
export function describeKey(c: { keyType: string; keyBits?: number; curve?: string }): string {
  return [c.keyType, c.curve, c.keyBits !== undefined ? `${c.keyBits} bits` : undefined].filter(Boolean).join(' ');
}
