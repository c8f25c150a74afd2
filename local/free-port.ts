import { createServer } from 'node:net';

/** Asks the OS for a free loopback port (used when a service's port is not configured). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something already listens on this port (on loopback or on every interface). */
export async function portTaken(port: number): Promise<boolean> {
  const tryListen = (host: string | undefined) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
    });
  return (await tryListen('127.0.0.1')) || (await tryListen(undefined));
}
