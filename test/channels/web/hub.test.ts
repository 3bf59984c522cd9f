import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHub } from '../../../src/channels/web/hub.js';
import type { WebMessage } from '../../../src/channels/web/view-model.js';
import { openEvents } from '../../helpers/sse.js';

/** The hub's event streams on a real HTTP server: a message sent again with the same id reaches a page once. */
describe('web chat hub', () => {
  const hub = new WebHub();
  let server: Server;
  let url = '';

  beforeAll(async () => {
    const app = express();
    app.get('/events', (req, res) => void hub.subscribe(String(req.query.c), res, req.get('Last-Event-ID') ?? undefined));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hub.close();
    await new Promise((r) => server.close(r));
  });

  const message = (id: string): WebMessage => ({ id, lang: 'en', at: new Date().toISOString(), proactive: true, parts: [] });

  it('drops a repeat of a message it already has (an announcement replayed after a crash)', async () => {
    const stream = await openEvents(`${url}/events?c=conversation-1`);
    expect(hub.publish('conversation-1', message('ticket_opened-1'))).toBe('delivered');
    expect(hub.publish('conversation-1', message('ticket_opened-1'))).toBe('duplicate');
    expect(hub.publish('conversation-1', message('other-1'))).toBe('delivered');
    await stream.waitFor((events) => events.some((e) => e.id === 'other-1'));
    expect(stream.events.map((e) => e.id)).toEqual(['ticket_opened-1', 'other-1']);
    stream.close();
    // A page opening later gets each once too.
    const later = await openEvents(`${url}/events?c=conversation-1`);
    await later.waitFor((events) => events.length >= 2);
    expect(later.events.map((e) => e.id)).toEqual(['ticket_opened-1', 'other-1']);
    later.close();
  });
});
