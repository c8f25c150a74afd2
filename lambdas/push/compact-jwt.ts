import { createPrivateKey, sign } from 'node:crypto';

/**
 * A signed JWT in compact form, with Node's own crypto: the sender signs two kinds (the APNs
 * provider token, ES256, and the FCM OAuth assertion, RS256) and nothing else, and jose would
 * add 16 KB to a bundle that has 6 KB to spare under its 500 KiB budget. The local fakes verify
 * these tokens with jose, an implementation of their own.
 */
export function signCompactJwt(algorithm: 'ES256' | 'RS256', header: Record<string, unknown>, claims: Record<string, unknown>, privateKeyPem: string): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode({ alg: algorithm, ...header })}.${encode(claims)}`;
  const key = createPrivateKey(privateKeyPem);
  // JWS wants an ECDSA signature as r‖s, not DER.
  const signature = sign('sha256', Buffer.from(input), algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}
