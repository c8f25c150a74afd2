import { listDevices } from './gpodder-device-store';

/**
 * gpodder.net's sync groups. Playhead keeps one subscription set and one episode state per
 * user, so all of a user's devices are always one group; a lone device is not synchronized
 * with anything.
 */
export async function syncStatus(userId: string): Promise<{ synchronized: string[][]; 'not-synchronized': string[] }> {
  const ids = (await listDevices(userId)).map((d) => d.deviceId).sort();
  return ids.length >= 2 ? { synchronized: [ids], 'not-synchronized': [] } : { synchronized: [], 'not-synchronized': ids };
}
