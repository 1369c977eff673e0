import { z } from 'zod';

// zod fields for settings read from the environment (or `.env`): empty values count as unset,
// values are trimmed, and each field names what it expects so a bad value is reported clearly.
// Shared by `loadExaiConfig` and the daemon's own settings.

/** Text, trimmed; empty or missing is `undefined`. */
export const envText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));

/** A comma-separated list, items trimmed, empty items dropped; missing is `undefined`. */
export const envList = envText.transform((value) =>
  value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean),
);

/** An integer in `[min, max]`, `fallback` when unset. */
export const envInteger = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  envText.transform((value) => (value === undefined ? fallback : Number(value))).pipe(z.number().int().min(min).max(max));

/** A number at least `bound.min`, or strictly above `bound.above`; `fallback` when unset. */
export const envNumber = (fallback: number, bound: { min: number } | { above: number }) =>
  envText
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe('min' in bound ? z.number().min(bound.min) : z.number().gt(bound.above));

/** A positive number, `undefined` when unset. */
export const envPositiveNumber = envText.transform((value) => (value === undefined ? undefined : Number(value))).pipe(z.number().positive().optional());

/** true/false (also 1/0, yes/no, on/off), `fallback` when unset. */
export const envFlag = (fallback: boolean) =>
  envText
    .transform((value) => (value === undefined ? String(fallback) : value.toLowerCase()))
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'must be true or false' }))
    .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/** An http(s) URL, `fallback` when unset. */
export const envUrl = (fallback: string) =>
  envText.transform((value) => value ?? fallback).pipe(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }));
