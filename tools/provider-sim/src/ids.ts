import { randomUUID } from 'node:crypto';

/** 32 random lowercase hex characters (randomUUID draws from a cached entropy pool: cheap). */
export function hex32(): string {
  const uuid = randomUUID();
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24);
}

/** `n` (≤ 32) random lowercase hex characters. */
export function hex(n: number): string {
  return hex32().slice(0, n);
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random lowercase alphanumerics, the shape of Kimi file and cache ids (`cn0bmk198onv4v01aafg`). */
export function alnum(n: number): string {
  const source = hex32() + hex32();
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[(parseInt(source.slice(i * 2, i * 2 + 2), 16) || 0) % alphabet.length];
  return out;
}

let stampSecond = -1;
let stampText = '';

/** UTC `yyyyMMddHHmmss`, cached per second. */
function timestamp(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampText = new Date(second * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  }
  return stampText;
}

/** A GLM request id: `yyyyMMddHHmmss` + 16 hex (provider-wire.md §1.3). */
export function glmRequestId(now = Date.now()): string {
  return timestamp(now) + hex(16);
}

/** Unix seconds. */
export function unixSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}
