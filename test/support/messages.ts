import { call } from './api';

/** Video message helpers: send, upload the bytes the way a device does, read a packet. */
export interface Upload {
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export interface InfoPacket {
  toDownload: Array<{ messageId: string; senderId: string; state: string; sizeBytes: number }>;
  outgoing: Array<{ messageId: string; recipientId: string; state: string; updatedAt: string }>;
  asOf: string;
}

export async function send(token: string, recipientId: string, fields: { contentType?: string; sizeBytes?: number; durationSeconds?: number } = {}) {
  const response = await call('POST', '/v1/messages', {
    token,
    body: { recipientId, contentType: fields.contentType ?? 'video/mp4', sizeBytes: fields.sizeBytes ?? 2048, ...(fields.durationSeconds === undefined ? {} : { durationSeconds: fields.durationSeconds }) },
  });
  if (response.status !== 201) throw new Error(`send failed: ${response.status} ${response.text}`);
  return response.json as { messageId: string; upload: Upload };
}

/** A PUT straight to storage with the signed URL: the bytes never pass through the API. */
export async function upload(target: Upload, body: Buffer, headers: Record<string, string> = target.headers): Promise<number> {
  const { 'content-length': _length, ...rest } = headers;
  const response = await fetch(target.url, { method: target.method, headers: rest, body });
  await response.arrayBuffer();
  return response.status;
}

export const videoBytes = (size: number, seed = 7) => Buffer.from(Array.from({ length: size }, (_, i) => (i * seed) % 256));

export async function packetOf(token: string): Promise<InfoPacket> {
  const response = await call('GET', '/v1/messages/inbox', { token });
  if (response.status !== 200) throw new Error(`inbox failed: ${response.status} ${response.text}`);
  return response.json as InfoPacket;
}
