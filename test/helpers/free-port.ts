import { createServer } from 'node:net';

/**
 * An ephemeral TCP port on 127.0.0.1 that was free a moment ago. The kernel picks it, so parallel test
 * files never collide on a fixed port; callers that spawn a daemon on it still retry on EADDRINUSE,
 * because another process can grab it between our close() and the daemon's bind().
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: the server has no TCP address'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}
