// Checks of invoke payloads in main (design rule 7): a payload that is not what the channel takes is
// refused with a message naming the field.

/** A payload that is not what the channel takes: the message names the field. */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

export function objectOf(request: unknown, channel: string): Record<string, unknown> {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new BadRequest(`${channel}: the request must be an object`);
  return request as Record<string, unknown>;
}

export function stringField(o: Record<string, unknown>, field: string, channel: string, max = 256): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new BadRequest(`${channel}: '${field}' must be a non-empty string of at most ${max} characters`);
  return v;
}

/** A list of file paths (at most `max`), each a non-empty string. */
export function pathsField(o: Record<string, unknown>, channel: string, max = 64): string[] {
  const p = o.paths;
  if (!Array.isArray(p) || p.length === 0 || p.length > max || p.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 4096)) {
    throw new BadRequest(`${channel}: 'paths' must be a list of 1 to ${max} file paths`);
  }
  return p as string[];
}
