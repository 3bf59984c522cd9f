import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_KNOWLEDGE, startTestApp, type TestApp } from '../server/start.js';

/** The real server with the console on, over a temp copy of the repository's knowledge folder. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface ConsoleTestApp extends TestApp {
  kbDir: string;
}

export async function startConsoleApp(env: Record<string, string> = {}, prepare?: (kbDir: string) => void): Promise<ConsoleTestApp> {
  const kbRoot = mkdtempSync(join(tmpdir(), 'helpdesk-console-kb-'));
  const kbDir = join(kbRoot, 'knowledge');
  cpSync(REPO_KNOWLEDGE, kbDir, { recursive: true });
  prepare?.(kbDir);
  const server = await startTestApp({ KB_DIR: kbDir, ADMIN_TOKEN, ...env });
  return {
    ...server,
    kbDir,
    async stop() {
      await server.stop();
      rmSync(kbRoot, { recursive: true, force: true });
    },
  };
}

/** A signed-in technician: session cookie and the page's anti-CSRF token. */
export interface Session {
  cookie: string;
  csrf: string;
}

export async function signIn(url: string, token = ADMIN_TOKEN): Promise<Session> {
  const res = await fetch(`${url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ token, next: '/admin/' }),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await fetch(`${url}/admin/`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
  if (!csrf) throw new Error('no CSRF token on the dashboard');
  return { cookie, csrf };
}

export function form(session: Session, fields: Record<string, string | string[]>): URLSearchParams {
  const params = new URLSearchParams({ _csrf: session.csrf });
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  return params;
}

export async function postForm(url: string, session: Session | undefined, path: string, body: URLSearchParams): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, ...(session ? { cookie: session.cookie } : {}) },
    body,
  });
}

export const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };
