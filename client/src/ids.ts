/**
 * Random ids for mutations and local records. They must never repeat for a device, even after
 * the app's storage was wiped and the same device id reused: the server answers a mutation id
 * it has seen with the answer it recorded, so a repeated id would silently drop a write.
 */
export function randomId(prefix: string): string {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `${prefix}${hex}`;
}
