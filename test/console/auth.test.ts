import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createConsoleRouter, listRoutes, PUBLIC_ROUTES } from '../../src/console/index.js';
import { translator } from '../../src/engine/i18n.js';
import { createLogger } from '../../src/log.js';
import { startTestApp } from '../server/start.js';
import { ADMIN_TOKEN, bearer, form, postForm, signIn, startConsoleApp, type ConsoleTestApp } from './helpers.js';

/**
 * Sign-in, sessions, CSRF and the guard on every console route. The routes are read from the
 * router itself, so a route added later is covered without touching this test.
 */

// Only the route table is read from this router; requests go to the real server below.
const routes = listRoutes(
  createConsoleRouter({
    config: { ...loadConfig({ ADMIN_TOKEN }).console, adminToken: ADMIN_TOKEN },
    kbDir: '.',
    secureCookie: false,
    translator: translator(),
    logger: createLogger('silent'),
    providerName: 'local',
    knowledge: {} as never,
    store: {} as never,
    drafts: {} as never,
    outbox: {} as never,
  }),
);
const SAMPLE_PARAMS: Record<string, string> = { id: 'password-forgotten', file: 'console.css', number: 'HD-000001' };
const concrete = (path: string) => `/admin${path.replace(/:(\w+)/g, (_m, name: string) => SAMPLE_PARAMS[name] ?? 'x')}`;
const guarded = routes.filter((r) => !PUBLIC_ROUTES.has(`${r.method} ${r.path}`));

describe('console sign-in and route guard', () => {
  let server: ConsoleTestApp;
  beforeAll(async () => {
    server = await startConsoleApp();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads a non-trivial route table, with only the sign-in and static assets public', () => {
    expect(guarded.length).toBeGreaterThanOrEqual(20);
    expect(routes.filter((r) => PUBLIC_ROUTES.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /assets/:file',
      'GET /login',
      'POST /login',
    ]);
  });

  it('denies every other route without credentials: 401 for the API, a redirect to sign-in for pages', async () => {
    const results: string[] = [];
    for (const route of guarded) {
      const path = concrete(route.path);
      const res = await fetch(`${server.url}${path}`, {
        method: route.method,
        redirect: 'manual',
        headers: { 'content-type': 'application/json', origin: server.url },
        ...(route.method === 'GET' ? {} : { body: '{}' }),
      });
      const ok = path.startsWith('/admin/api/')
        ? res.status === 401 && res.headers.get('www-authenticate')?.startsWith('Bearer')
        : res.status === 303 && res.headers.get('location')?.startsWith('/admin/login');
      if (!ok) results.push(`${route.method} ${path} → ${res.status}`);
      await res.arrayBuffer();
    }
    expect(results).toEqual([]);
  });

  it('denies a wrong bearer token, a forged cookie and an unknown path alike', async () => {
    for (const headers of [{ authorization: 'Bearer wrong-token-0123456789abcdef' }, { cookie: 'hd_admin=abc.def' }, {}] as Array<Record<string, string>>) {
      expect((await fetch(`${server.url}/admin/api/report`, { headers })).status).toBe(401);
      const page = await fetch(`${server.url}/admin/no-such-page`, { headers, redirect: 'manual' });
      expect(page.status).toBe(303);
    }
  });

  it('serves every GET route to the bearer token', async () => {
    const failures: string[] = [];
    for (const route of guarded.filter((r) => r.method === 'GET')) {
      const res = await fetch(`${server.url}${concrete(route.path)}`, { headers: bearer, redirect: 'manual' });
      // Sample ids may not exist (404); what matters is that the credential is accepted.
      if (res.status === 401 || res.status === 303 || res.status >= 500) failures.push(`${route.path} → ${res.status}`);
      await res.arrayBuffer();
    }
    expect(failures).toEqual([]);
  });

  it('signs in with the token into an HttpOnly, SameSite=Strict session cookie, and out again', async () => {
    const wrong = await postForm(server.url, undefined, '/admin/login', new URLSearchParams({ token: 'not-the-token' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain(translator().t('en', 'console.login.failed'));

    const res = await postForm(server.url, undefined, '/admin/login', new URLSearchParams({ token: ADMIN_TOKEN, next: '/admin/gaps' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/gaps');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^hd_admin=[\w-]+\.[\w-]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/admin');

    // An open redirect through `next` is not possible.
    const away = await postForm(server.url, undefined, '/admin/login', new URLSearchParams({ token: ADMIN_TOKEN, next: '//evil.example/admin' }));
    expect(away.headers.get('location')).toBe('/admin/');

    const session = await signIn(server.url);
    const dash = await fetch(`${server.url}/admin/`, { headers: { cookie: session.cookie } });
    expect(dash.status).toBe(200);
    expect(dash.headers.get('content-security-policy')).toContain("script-src 'self'");

    const out = await postForm(server.url, session, '/admin/logout', form(session, {}));
    expect(out.status).toBe(303);
    const after = await fetch(`${server.url}/admin/`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    expect(after.status).toBe(303);
  });

  it('refuses state-changing requests without the anti-CSRF token or from another origin', async () => {
    const session = await signIn(server.url);
    const noToken = await postForm(server.url, session, '/admin/api/preview', new URLSearchParams({ markdown: 'x' }));
    expect(noToken.status).toBe(403);
    const wrongToken = await fetch(`${server.url}/admin/api/preview`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json', 'x-csrf-token': 'nope', origin: server.url },
      body: JSON.stringify({ markdown: 'x' }),
    });
    expect(wrongToken.status).toBe(403);
    const crossSite = await fetch(`${server.url}/admin/api/preview`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json', 'x-csrf-token': session.csrf, origin: 'https://evil.example' },
      body: JSON.stringify({ markdown: 'x' }),
    });
    expect(crossSite.status).toBe(403);
    const good = await fetch(`${server.url}/admin/api/preview`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/json', 'x-csrf-token': session.csrf, origin: server.url },
      body: JSON.stringify({ markdown: '**ok**' }),
    });
    expect(good.status).toBe(200);
    expect((await good.json()).html).toContain('<strong>ok</strong>');
  });

  it('slows down guessing: too many wrong tokens get 429', async () => {
    let last = 0;
    for (let i = 0; i < 11; i++) {
      const res = await postForm(server.url, undefined, '/admin/login', new URLSearchParams({ token: `guess-${i}` }));
      last = res.status;
      await res.arrayBuffer();
    }
    expect(last).toBe(429);
    // Even the right token waits for the window to pass.
    expect((await postForm(server.url, undefined, '/admin/login', new URLSearchParams({ token: ADMIN_TOKEN }))).status).toBe(429);
  });
});

describe('console without ADMIN_TOKEN', () => {
  it('is not mounted at all', async () => {
    const app = await startTestApp();
    try {
      expect((await fetch(`${app.url}/admin/`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${app.url}/admin/login`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await app.stop();
    }
  });
});
