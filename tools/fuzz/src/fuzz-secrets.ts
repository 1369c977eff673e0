import { randomBytes } from 'node:crypto';
import { mintJwt, nowSeconds } from './jwt.js';

/** Every credential of a run: generated fresh, distinctive, so the scan finds them wherever they land. */
export interface FuzzSecrets {
  /** A GLM key shaped like Z.ai's (`<32 hex>.<16 alphanumerics>`). */
  glmKey: string;
  /** A Kimi key shaped like Moonshot's (`sk-<48 alphanumerics>`). */
  kimiKey: string;
  jwtSecret: string;
  alice: string;
  bob: string;
  /** A valid HS256 JWT for the user `mallory`, who sends the generated messages. */
  mallory: string;
}

const alphanumerics = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  return [...randomBytes(length)].map((byte) => alphanumerics[byte % alphanumerics.length]).join('');
}

/** Fresh credentials for one run. */
export function createFuzzSecrets(): FuzzSecrets {
  const jwtSecret = `fuzz-jwt-secret-${randomText(40)}`;
  const now = nowSeconds();
  return {
    glmKey: `${randomBytes(16).toString('hex')}.${randomText(16)}`,
    kimiKey: `sk-${randomText(48)}`,
    jwtSecret,
    alice: `alice-${randomText(32)}`,
    bob: `bob-${randomText(32)}`,
    mallory: mintJwt({ header: { alg: 'HS256', typ: 'JWT' }, claims: { sub: 'mallory', aud: 'authenticated', iat: now, exp: now + 4 * 3600 }, secret: jwtSecret }),
  };
}

/** The needles of the secret scan: each secret by name, and the signature of each JWT on its own. */
export function secretNeedles(secrets: FuzzSecrets): Array<{ label: string; value: string }> {
  return [
    { label: 'GLM_API_KEY', value: secrets.glmKey },
    { label: 'GLM_API_KEY secret part', value: secrets.glmKey.split('.')[1] as string },
    { label: 'KIMI_API_KEY', value: secrets.kimiKey },
    { label: 'EXAI_JWT_SECRET', value: secrets.jwtSecret },
    { label: "alice's static token", value: secrets.alice },
    { label: "bob's static token", value: secrets.bob },
    { label: "mallory's JWT", value: secrets.mallory },
    { label: "mallory's JWT signature", value: secrets.mallory.split('.')[2] as string },
  ];
}
