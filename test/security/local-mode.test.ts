import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotConnectorServer, type BotConnectorServer } from '../helpers/bot-connector-server.js';
import { postJson } from '../helpers/http.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * Finding Medium 5: in local mode (no Bot Framework credentials, nothing authenticates
 * /api/messages) the server listened on every interface and POSTed to any loopback host, port and
 * path an activity named. Now it listens on loopback unless HOST says otherwise, and accepts only
 * the Emulator's service URL shape, http://localhost:<port> (or 127.0.0.1 / [::1]), nothing more.
 */

describe('security: local mode (Medium 5)', () => {
  let server: TestApp;
  let connector: BotConnectorServer;

  beforeAll(async () => {
    connector = await startBotConnectorServer();
    // No host from the test: the configuration decides.
    server = await startTestApp({}, { host: undefined });
  });
  afterAll(async () => {
    await server?.stop();
    await connector?.close();
  });

  it('listens on loopback only by default in local mode', () => {
    expect((server.app.server.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  it('HOST chooses the interface', async () => {
    const all = await startTestApp({ HOST: '0.0.0.0' }, { host: undefined });
    try {
      expect((all.app.server.address() as AddressInfo).address).toBe('0.0.0.0');
    } finally {
      await all.stop();
    }
  });

  const activity = (serviceUrl: string) => ({
    type: 'message',
    id: `f:${randomUUID()}`,
    serviceUrl,
    channelId: 'emulator',
    from: { id: 'emulator-user', name: 'User' },
    recipient: { id: 'bot', name: 'Bot' },
    conversation: { id: `conv-${randomUUID()}` },
    text: 'hello',
  });

  it('refuses service URLs that are loopback but not the Emulator\'s shape', async () => {
    const port = new URL(connector.url).port;
    const refused = [
      `http://127.0.0.2:${port}`, // another loopback address
      `http://127.0.0.1:${port}/some/internal/path`, // a path of the caller's choosing
      `http://127.0.0.1:${port}/?x=1`,
      `http://user:secret@127.0.0.1:${port}`,
      `http://localhost`, // no port: 80, whatever listens there
      `https://localhost:${port}`,
      `http://0.0.0.0:${port}`,
      `http://[::ffff:127.0.0.1]:${port}`,
      `http://2130706433:${port}`, // 127.0.0.1 as a number
    ];
    for (const serviceUrl of refused) {
      const res = await postJson(`${server.url}/api/messages`, activity(serviceUrl));
      expect(res.status, serviceUrl).toBe(403);
      expect(res.json.error).toBe('local_mode');
    }
    expect(connector.messages().length).toBe(0);
  });

  it('still serves the Emulator (http://127.0.0.1:<port> or http://localhost:<port>)', async () => {
    const res = await postJson(`${server.url}/api/messages`, activity(connector.url));
    expect(res.status).toBe(200);
    await connector.waitFor((calls) => calls.length >= 1);
  });
});
