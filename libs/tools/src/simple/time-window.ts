import { ToolInputError } from '../tool-input-error.js';

const unitMs: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * The start of a time window: an ISO time (`2026-01-31T09:00:00Z`) or a span back from `now`
 * (`30m`, `1h`, `2d`, `1w`). Anything else, or a time in the future, is a {@link ToolInputError} on `field`.
 */
export function parseSince(value: string, now: Date, field = 'since'): Date {
  const text = value.trim();
  const relative = /^(\d{1,6})\s*([smhdw])$/i.exec(text);
  if (relative) {
    const [, amount, unit] = relative as unknown as [string, string, string];
    return new Date(now.getTime() - Number(amount) * (unitMs[unit.toLowerCase()] as number));
  }
  // Date.parse also reads forms like "March 7"; only ISO 8601 dates are meant here.
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new ToolInputError(field, `${field} "${value}" is neither an ISO time (2026-01-31T09:00:00Z) nor a span like 30m, 1h, 2d or 1w`);
  if (at > now.getTime()) throw new ToolInputError(field, `${field} ${new Date(at).toISOString()} is in the future`);
  return new Date(at);
}

/** `text` cut to `max` characters with an ellipsis, and whether it was cut. */
export function clip(text: string, max: number): { text: string; clipped: boolean } {
  return text.length <= max ? { text, clipped: false } : { text: `${text.slice(0, max - 1)}…`, clipped: true };
}
