/**
 * A Hugging Face Hub stand-in on 127.0.0.1: serves `<root>/<model id>/<file>` at
 * `GET /<model id>/resolve/<revision>/<file>` (the path transformers.js builds from env.remoteHost and
 * env.remotePathTemplate), honours single byte ranges (used for metadata probes) and records every
 * request, so tests can prove that nothing was asked of the network, or what was.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface HubServer {
  /** Base URL with a trailing slash, suitable for env.remoteHost. */
  url: string;
  /** "METHOD /path" of every request received, in order. */
  requests: string[];
  close(): Promise<void>;
}

const RESOLVE_PATH = /^\/(.+)\/resolve\/[^/]+\/(.+)$/;
const RANGE = /^bytes=(\d+)-(\d*)$/;

function serveFile(root: string, request: IncomingMessage, response: ServerResponse): void {
  const match = RESOLVE_PATH.exec(decodeURIComponent(new URL(request.url ?? '/', 'http://hub').pathname));
  const file = match ? path.resolve(root, match[1] ?? '', match[2] ?? '') : undefined;
  if (!file || !file.startsWith(root + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
    return;
  }
  const body = readFileSync(file);
  const range = RANGE.exec(request.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : body.length - 1, body.length - 1);
    response
      .writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': String(end - start + 1),
      })
      .end(body.subarray(start, end + 1));
    return;
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) }).end(body);
}

/** Starts the server; `root` holds the model folders it serves (may be empty or absent). */
export async function startHubServer(root: string): Promise<HubServer> {
  const requests: string[] = [];
  const resolvedRoot = path.resolve(root);
  const server = createServer((request, response) => {
    requests.push(`${request.method ?? 'GET'} ${request.url ?? ''}`);
    serveFile(resolvedRoot, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
