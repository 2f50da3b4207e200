// AE title rules, PS3.5 §6.2 (VR AE) and PS3.8 §9.3.2: 1-16 characters of the ISO 646 basic G0 set,
// no backslash, no control characters, not all spaces; leading/trailing spaces are not significant.
// Shared so that the CLI, the main process and the GUI validate titles the same way.

export const AE_TITLE_MAX_LENGTH = 16;

/** Returns undefined when `title` is a valid AE title, else one sentence saying what is wrong. */
export function aeTitleProblem(title: string): string | undefined {
  const trimmed = title.trim();
  if (trimmed.length === 0) return 'An AE title must not be empty or all spaces.';
  if (title.length > AE_TITLE_MAX_LENGTH) return `An AE title has at most ${AE_TITLE_MAX_LENGTH} characters ('${title}' has ${title.length}).`;
  for (const ch of title) {
    const code = ch.charCodeAt(0);
    if (code === 0x5c) return 'An AE title must not contain a backslash (\\).';
    if (code < 0x20 || code > 0x7e) return 'An AE title may only contain printable ASCII characters (no control characters).';
  }
  return undefined;
}

export function isValidAeTitle(title: string): boolean {
  return aeTitleProblem(title) === undefined;
}

/** Titles compare after trimming (PS3.8 §9.3.2: leading and trailing spaces are not significant). */
export function sameAeTitle(a: string, b: string): boolean {
  return a.trim() === b.trim();
}
