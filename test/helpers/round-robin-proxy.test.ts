import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startRoundRobinProxy, type RoundRobinProxy } from './round-robin-proxy.js';

/**
 * The balancer the load script (and a cluster test) puts in front of several server processes:
 * each request goes to the next upstream, bodies go through unchanged both ways, an event stream
 * arrives event by event (not when the upstream ends it), and a dead upstream is a 502.
 */
describe('round-robin proxy', () => {
  const servers: Server[] = [];
  let proxy: RoundRobinProxy | undefined;
  let markFirstRead: () => void = () => undefined;
  const firstRead = new Promise<void>((resolve) => (markFirstRead = resolve));

  async function upstream(name: string): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(`data: first from ${name}\n\n`);
        // The second event only once the client has read the first: through a buffering proxy it never would.
        void firstRead.then(() => res.end(`data: second from ${name}\n\n`));
        return;
      }
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': `who=${name}` });
        res.end(JSON.stringify({ name, method: req.method, url: req.url, body, cookie: req.headers.cookie ?? null }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  afterAll(async () => {
    await proxy?.close();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('sends each request to the next replica, with its body, headers and status', async () => {
    const [a, b, c] = [await upstream('a'), await upstream('b'), await upstream('c')];
    proxy = await startRoundRobinProxy([a, b, c]);
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${proxy.url}/api/chat?n=${i}`, { method: 'POST', headers: { cookie: 'hd_web=x' }, body: `hello ${i}` });
      expect(res.status).toBe(201);
      expect(res.headers.getSetCookie()).toHaveLength(1);
      answers.push((await res.json()) as { name: string; method: string; url: string; body: string; cookie: string });
    }
    expect(answers.map((x) => x.name)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(answers[4]).toEqual({ name: 'b', method: 'POST', url: '/api/chat?n=4', body: 'hello 4', cookie: 'hd_web=x' });
    expect([...proxy.counts.values()]).toEqual([2, 2, 2]);
  });

  it('streams an event stream as it is written', async () => {
    const reader = (await fetch(`${proxy!.url}/events`)).body!.getReader();
    const chunk = new TextDecoder().decode((await reader.read()).value);
    expect(chunk).toMatch(/^data: first from [abc]\n\n$/);
    markFirstRead();
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toMatch(/data: second from [abc]/);
  });

  it('answers 502 for a replica that is gone, and serves again once the upstreams are changed', async () => {
    const dead = await upstream('dead');
    const alive = await upstream('alive');
    const last = servers.at(-2)!;
    last.closeAllConnections();
    await new Promise<void>((resolve) => last.close(() => resolve()));
    proxy!.upstreams = [dead];
    expect((await fetch(`${proxy!.url}/x`, { method: 'POST', body: '' })).status).toBe(502);
    proxy!.upstreams = [alive];
    const res = await fetch(`${proxy!.url}/x`, { method: 'POST', body: 'again' });
    expect(await res.json()).toMatchObject({ name: 'alive', body: 'again' });
  });
});
