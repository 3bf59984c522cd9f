import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ConsoleConfig } from '../config/sections/console.js';
import { toCsv } from '../engine/analytics/csv.js';
import { loadFlows, parseFlowFile } from '../engine/flows/load.js';
import { translationsBehind } from '../engine/knowledge/families.js';
import type { Translator } from '../engine/i18n.js';
import type { Lang } from '../engine/lang.js';
import type { ConversationStatus, ConversationStore } from '../engine/ports/conversation-store.js';
import type { DraftStore } from '../engine/ports/drafts.js';
import type { LabelledExample, LabelledExampleInput, LabelledExampleStore } from '../engine/ports/labelled-examples.js';
import type { ConversationAddress, OutboundMessage, SentMessage } from '../engine/contract.js';
import type { TicketNotes } from '../engine/ports/ticket-notes.js';
import type { ManagedKnowledgeService } from '../engine/ports/knowledge.js';
import type { Logger } from '../log.js';
import type { AdminAuditEntry, AdminAuditEvent, AdminAuditMethod } from '../engine/ports/admin-audit.js';
import type { LocalTicket, LocalTicketStore as TicketStore } from '../engine/ports/local-tickets.js';
import type { TicketOutbox } from '../tickets/outbox.js';
import { emptyForm, FORM_KEYS, formFromArticle, isArticleId, KnowledgeFiles, type ArticleForm, type SaveResult } from './articles.js';
import { ConsoleAuth, csrfGuard, parseCookies, sameOrigin, type AuthState } from './auth.js';
import { html } from './html.js';
import { consoleLang, consoleT } from './i18n.js';
import { ConsoleInsights } from './insights.js';
import { layout, type PageContext } from './layout.js';
import { renderMarkdown } from './markdown.js';
import { calibrationPage, type DeskCalibrationControl } from './pages/calibration.js';
import { conversationsPage, STATUSES, transcriptPage, TURN_MARKS } from './pages/conversations.js';
import { PERIODS as GAP_PERIODS } from './pages/dashboard.js';
import { dashboardPage, PERIODS } from './pages/dashboard.js';
import { flowsPage, type FlowRow } from './pages/flows.js';
import { gapsPage } from './pages/gaps.js';
import { actionsPage } from './pages/actions.js';
import type { ActionAuditLog } from '../engine/ports/action-audit.js';
import { ARTICLE_FILTERS, editorPage, knowledgeListPage, type ArticleFilter, type ArticleRow, type EditorData } from './pages/knowledge.js';
import { loginPage } from './pages/login.js';
import { sourcesPage, type SourceView } from './pages/sources.js';
import { ticketsPage } from './pages/tickets.js';
import { ASSIGNEE_FILTERS, ticketPage, ticketQueue, WORK_STATES, type QueueQuery } from './pages/ticket.js';

/**
 * The technician console, mounted at /admin: dashboard, knowledge editing, drafts, gaps,
 * conversations, tickets and outbox, flows, CSV export. Server-rendered pages plus two small
 * scripts (charts, live preview); chart.js is served from node_modules, nothing from a CDN.
 * Everything but the sign-in page and static assets requires a session or the bearer token.
 */

export interface ConsoleDeps {
  config: ConsoleConfig & { adminToken: string };
  kbDir: string;
  secureCookie: boolean;
  knowledge: ManagedKnowledgeService;
  store: ConversationStore;
  drafts: DraftStore;
  outbox: TicketOutbox;
  /** The local ticket store, when TICKET_PROVIDER=local. */
  tickets?: TicketStore;
  providerName: string;
  /** Technicians' internal notes and replies on tickets. */
  notes?: TicketNotes;
  /** Delivers a technician's reply to the employee's channel (the app's ProactiveRouter). */
  replies?: ReplySender;
  translator: Translator;
  logger: Logger;
  /** Durable audit log of sign-ins, failures, lockouts and sign-outs (besides the log line). */
  audit?: (entry: AdminAuditEntry) => Promise<void>;
  now?: () => Date;
  /** Scheduled knowledge import (KNOWLEDGE_SYNC_*): its state per source, and a run on demand. */
  knowledgeSync?: { status(): SourceView[]; runNow(): Promise<unknown> };
  /** The account actions' audit log (README "Actions"). */
  actionAudit?: ActionAuditLog;
  /** Human judgements tying questions to articles (README "Learning from the desk"). */
  labels?: LabelledExampleStore;
  /** Refit on those judgements and move the operating point (the Calibration page). */
  calibration?: DeskCalibrationControl;
}

/** A script using the bearer token is audited once per address in this window, not on every request. */
const BEARER_AUDIT_INTERVAL_MS = 15 * 60 * 1000;

export interface ReplySender {
  send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage>;
  /** The running sender of a channel, if any. */
  sender(channel: string): unknown;
}

/** The technician's name as they typed it for "assign to me" (the console token identifies no one). */
export const NAME_COOKIE = 'hd_console_name';

/** Routes reachable without signing in ("METHOD path" as registered). Everything else is denied. */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['GET /login', 'POST /login', 'GET /assets/:file']);

export interface RouteInfo {
  method: string;
  path: string;
}

/** Every route registered on the console router, read from the router itself. */
export function listRoutes(router: Router): RouteInfo[] {
  const out: RouteInfo[] = [];
  for (const layer of router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods)) if (method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return out;
}

const HERE = dirname(fileURLToPath(import.meta.url));
// src/console and dist/console both sit two levels below the repository root.
const PUBLIC_DIR = join(resolve(HERE, '..', '..'), 'src', 'console', 'public');
const require = createRequire(import.meta.url);
const ASSETS: Record<string, { path: string; type: string }> = {
  'console.css': { path: join(PUBLIC_DIR, 'console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: join(PUBLIC_DIR, 'console.js'), type: 'text/javascript; charset=utf-8' },
  // chart.js's package exports do not list its UMD build: found next to the CommonJS entry.
  'chart.umd.min.js': { path: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
};

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const CONVERSATION_PAGE = 50;
const FLOW_EVENT_DAYS = 90;
const DAY_MS = 24 * 3_600_000;

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
const strs = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function periodOf(req: Request): number {
  const n = Number(str(req.query.days));
  return (PERIODS as readonly number[]).includes(n) ? n : 30;
}

/** The article form from a submitted body (form or JSON), every field a string. */
function formFromBody(body: Record<string, unknown>): ArticleForm {
  const form = emptyForm();
  for (const key of FORM_KEYS) {
    const v = body[key];
    form[key] = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(key === 'tags' ? ', ' : '\n') : typeof v === 'string' ? v : '';
  }
  form.body = typeof body.body === 'string' ? body.body : '';
  return form;
}

const apiArticleSchema = z.object({
  existingId: z.string().optional(),
  baseHash: z.string().optional(),
  frontMatter: z.record(z.union([z.string(), z.array(z.string())])).default({}),
  body: z.string().max(400_000),
});

export function createConsoleRouter(deps: ConsoleDeps): Router {
  const now = deps.now ?? (() => new Date());
  const auth = new ConsoleAuth({ token: deps.config.adminToken, sessionHours: deps.config.sessionHours, secureCookie: deps.secureCookie });
  const bearerAudited = new Map<string, number>();

  /** The client address: the socket peer, or the client a trusted proxy names (TRUST_PROXY). */
  const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

  /** Audit trail of the console's sign-ins: a log line and a row in the audit table. */
  function audit(req: Request, event: AdminAuditEvent, method: AdminAuditMethod): void {
    const address = addressOf(req);
    const userAgent = req.get('user-agent')?.slice(0, 256);
    const line = { audit: 'console_sign_in', event, method, address, ...(userAgent ? { userAgent } : {}) };
    if (event === 'sign_in' || event === 'sign_out') deps.logger.info(line, `console ${event.replace(/_/g, ' ')}`);
    else deps.logger.warn(line, `console ${event.replace(/_/g, ' ')}`);
    // Not awaited: a failed audit write is logged and never blocks or fails the sign-in answer.
    Promise.resolve()
      .then(() => deps.audit?.({ at: (deps.now?.() ?? new Date()).toISOString(), event, method, address, ...(userAgent ? { userAgent } : {}) }))
      .catch((err: unknown) => deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'console audit write failed'));
  }
  const files = new KnowledgeFiles(deps.kbDir);
  const insights = new ConsoleInsights({ store: deps.store, knowledge: deps.knowledge, files, gapConfidence: deps.config.gapConfidence, now });
  const router = Router();

  const ctxOf = (req: Request, res: Response): PageContext => {
    const lang = res.locals.lang as Lang;
    const state = res.locals.auth as AuthState | undefined;
    return { t: consoleT(deps.translator, lang), tKey: (key, params) => deps.translator.t(lang, key, params), lang, csrf: state?.kind === 'session' ? state.session.csrf : '', url: req.originalUrl };
  };
  const titleOf = (lang: Lang) => (id: string) => deps.knowledge.article(id, lang)?.title ?? id;
  /** A judgement becomes a labelled example; a failure to keep it is logged, never fails the technician's action. */
  const label = async (input: LabelledExampleInput): Promise<LabelledExample | undefined> => {
    if (!deps.labels) return undefined;
    try {
      return (await deps.labels.record(input)).example;
    } catch (err) {
      deps.logger.warn({ err: err instanceof Error ? err.message : String(err), source: input.source }, 'labelled example not recorded');
      return undefined;
    }
  };
  const knownArticle = (id: string) => isArticleId(id) && deps.knowledge.family(id).length > 0;
  const send = (res: Response, status: number, page: string) => res.status(status).type('html').send(page);
  const notFound = (req: Request, res: Response) => {
    const ctx = ctxOf(req, res);
    send(res, 404, layout(ctx, { title: ctx.t('errors.not_found'), active: 'dashboard', body: html`<p><a href="/admin/">${ctx.t('nav.dashboard')}</a></p>` }));
  };
  const isApi = (req: Request) => req.path.startsWith('/api/');

  router.use((req, res, next) => {
    // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts, which the CSRF guard refuses.
    res.set({ 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin', 'X-Frame-Options': 'DENY' });
    const cookies = parseCookies(req.headers.cookie);
    res.locals.cookies = cookies;
    res.locals.lang = consoleLang(req, res, cookies);
    next();
  });

  // --- Public: static assets and the sign-in ---------------------------------------------------
  router.get('/assets/:file', (req, res) => {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!asset) {
      res.status(404).type('text').send('not found');
      return;
    }
    res.set({ 'Content-Type': asset.type, 'Cache-Control': 'private, max-age=3600' }).sendFile(asset.path);
  });

  const safeNext = (next: string) => (/^\/admin(?:\/[^\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/admin/');

  router.get('/login', (req, res) => {
    if (auth.identify(req, res.locals.cookies as Record<string, string>)) {
      res.redirect(303, safeNext(str(req.query.next)));
      return;
    }
    send(res, 200, loginPage(ctxOf(req, res), { next: safeNext(str(req.query.next)) }));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '8kb' }), (req, res) => {
    const ctx = ctxOf(req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(str(body.next));
    if (!sameOrigin(req)) {
      send(res, 403, loginPage(ctx, { next, error: ctx.t('errors.csrf') }));
      return;
    }
    const address = addressOf(req);
    if (auth.throttled(address)) {
      audit(req, 'locked_out', 'form');
      send(res, 429, loginPage(ctx, { next, error: ctx.t('login.throttled') }));
      return;
    }
    if (!auth.checkToken(str(body.token))) {
      auth.recordFailure(address);
      audit(req, 'sign_in_failed', 'form');
      send(res, 401, loginPage(ctx, { next, error: ctx.t('login.failed') }));
      return;
    }
    auth.createSession(res);
    audit(req, 'sign_in', 'form');
    res.redirect(303, next);
  });

  // --- Everything below requires a session or the bearer token --------------------------------
  router.use((req, res, next) => {
    // The bearer token is a sign-in too: same lockout as the form (per client address), same audit.
    if (req.get('authorization') !== undefined) {
      const address = addressOf(req);
      if (auth.throttled(address)) {
        audit(req, 'locked_out', 'bearer');
        res.status(429).set('Retry-After', '900').json({ error: 'too_many_attempts', message: 'Too many failed sign-ins from this address; try again later.' });
        return;
      }
      const state = auth.identify(req, res.locals.cookies as Record<string, string>);
      if (!state) {
        auth.recordFailure(address);
        audit(req, 'sign_in_failed', 'bearer');
        if (isApi(req)) res.status(401).set('WWW-Authenticate', 'Bearer realm="helpdesk-console", error="invalid_token"').json({ error: 'unauthorized', message: 'Invalid bearer token.' });
        else res.redirect(303, '/admin/login');
        return;
      }
      const now = Date.now();
      if ((bearerAudited.get(address) ?? 0) <= now - BEARER_AUDIT_INTERVAL_MS) {
        if (bearerAudited.size > 10_000) bearerAudited.clear();
        bearerAudited.set(address, now);
        audit(req, 'sign_in', 'bearer');
      }
      res.locals.auth = state;
      next();
      return;
    }
    const state = auth.identify(req, res.locals.cookies as Record<string, string>);
    if (state) {
      res.locals.auth = state;
      next();
      return;
    }
    if (isApi(req)) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="helpdesk-console"').json({ error: 'unauthorized', message: 'Sign in at /admin/login or send Authorization: Bearer <ADMIN_TOKEN>.' });
      return;
    }
    const target = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
    res.redirect(303, `/admin/login${target}`);
  });
  router.use(express.urlencoded({ extended: false, limit: '512kb' }), express.json({ limit: '512kb' }));
  router.use(
    csrfGuard((req, res) => {
      deps.logger.warn({ path: req.path }, 'console request refused: missing or wrong anti-CSRF token');
      if (isApi(req)) {
        res.status(403).json({ error: 'csrf', message: 'Missing or invalid X-CSRF-Token.' });
        return;
      }
      const ctx = ctxOf(req, res);
      send(res, 403, layout(ctx, { title: ctx.t('errors.csrf'), active: 'dashboard', body: html`<p>${ctx.t('errors.csrf_help')}</p>` }));
    }),
  );

  router.post('/logout', (req, res) => {
    const state = res.locals.auth as AuthState;
    if (state.kind === 'session') {
      auth.destroySession(res, state.session);
      audit(req, 'sign_out', 'form');
    }
    res.redirect(303, '/admin/login');
  });

  // --- Dashboard and analytics ---------------------------------------------------------------
  router.get('/', async (req, res) => {
    const ctx = ctxOf(req, res);
    const days = periodOf(req);
    const [{ report }, satisfaction] = await Promise.all([insights.report(days), insights.satisfaction(days)]);
    send(res, 200, dashboardPage(ctx, report, days, titleOf(ctx.lang), satisfaction));
  });

  router.get('/api/report', async (req, res) => {
    res.json((await insights.report(periodOf(req))).report);
  });

  router.get('/api/satisfaction', async (req, res) => {
    res.json(await insights.satisfaction(periodOf(req)));
  });

  router.get('/api/analytics.csv', async (req, res) => {
    const days = periodOf(req);
    const { topics } = await insights.topics(days);
    const csv = toCsv(
      ['topic_id', 'started_at', 'last_activity_at', 'conversation_id', 'user_id', 'channel', 'lang', 'outcome', 'question', 'articles_shown', 'feedback', 'gate_confidence', 'escalation_reason'],
      topics.map((t) => [
        t.id, t.startedAt, t.lastAt, t.conversationId, t.userId, t.channel, t.lang, t.outcome, t.question ?? '',
        t.articlesShown.join(' '), t.feedback.join(' '), t.confidence ?? null, t.escalationReason ?? '',
      ]),
    );
    res
      .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="helpdesk-analytics-${days}d.csv"` })
      .send(`\uFEFF${csv}`);
  });

  // --- Knowledge -----------------------------------------------------------------------------
  const articleRows = async (): Promise<{ rows: ArticleRow[]; kb: ReturnType<KnowledgeFiles['load']> }> => {
    const kb = files.load();
    const usage = await insights.articleUsage();
    const today = now().toISOString().slice(0, 10);
    const behind = translationsBehind(kb.articles);
    const rows = kb.articles.map((article) => ({
      article,
      usage: usage.get(article.id) ?? { shown: 0, yes: 0, no: 0 },
      stale: Boolean(article.reviewBy && article.reviewBy < today),
      ...(behind.has(article.id) ? { behind: behind.get(article.id)! } : {}),
    }));
    return { rows, kb };
  };

  router.get('/knowledge', async (req, res) => {
    const ctx = ctxOf(req, res);
    const q = str(req.query.q).trim();
    const filter = (ARTICLE_FILTERS as readonly string[]).includes(str(req.query.filter)) ? (str(req.query.filter) as ArticleFilter) : 'all';
    const { rows, kb } = await articleRows();
    const needle = q.toLowerCase();
    const matches = (r: ArticleRow) =>
      !needle || [r.article.id, r.article.title, r.article.category ?? '', ...r.article.tags, ...r.article.questions].some((s) => s.toLowerCase().includes(needle));
    const kept = rows.filter(
      (r) =>
        matches(r) &&
        (filter === 'all' || (filter === 'stale' && r.stale) || (filter === 'behind' && Boolean(r.behind)) || (filter === 'disliked' && r.usage.no > r.usage.yes) || (filter === 'unused' && r.usage.shown === 0)),
    );
    const drafts = await deps.drafts.list({ statuses: ['pending'] });
    const broken = kb.issues.filter((i) => i.severity === 'error' && kb.brokenFiles.includes(i.file));
    send(res, 200, knowledgeListPage(ctx, { rows: kept, q, filter, drafts, broken, total: rows.length }));
  });

  router.get('/api/articles', async (_req, res) => {
    const { rows } = await articleRows();
    res.json(rows.map((r) => ({ id: r.article.id, title: r.article.title, lang: r.article.lang, file: r.article.file, stale: r.stale, reviewBy: r.article.reviewBy ?? null, ...r.usage })));
  });

  const editor = (req: Request, res: Response, status: number, data: Omit<EditorData, 'preview' | 'flowIds'>) => {
    send(res, status, editorPage(ctxOf(req, res), { ...data, preview: renderMarkdown(data.form.body), flowIds: [...(files.flowIds() ?? [])].sort() }));
  };

  router.get('/knowledge/new', async (req, res) => {
    const ctx = ctxOf(req, res);
    const form = emptyForm();
    const draftId = str(req.query.draft);
    let prefilledFrom: string | undefined;
    if (draftId) {
      const draft = await deps.drafts.get(draftId);
      if (!draft || draft.status !== 'pending') return notFound(req, res);
      const fm = draft.frontMatter;
      for (const key of FORM_KEYS) {
        const v = fm[key];
        if (typeof v === 'string' || typeof v === 'number') form[key] = String(v);
        else if (Array.isArray(v)) form[key] = v.map(String).join(key === 'tags' ? ', ' : '\n');
      }
      form.body = draft.body;
      prefilledFrom = ctx.t('editor.from_draft', { ticket: draft.source.ticketNumber });
    } else {
      const lang = str(req.query.lang) === 'fr' ? 'fr' : 'en';
      form.lang = lang;
      form.title = str(req.query.title).slice(0, 200);
      form.questions = strs(req.query.q).map((q) => q.replace(/\s+/g, ' ').trim().slice(0, 300)).join('\n');
      if (req.query.gap) prefilledFrom = ctx.t('editor.from_gap');
      const today = now().toISOString().slice(0, 10);
      form.updated = today;
      if (form.title) {
        form.body = ctx.t('editor.skeleton', { symptoms: ctx.t(`editor.heading_symptoms_${lang}`), resolution: ctx.t(`editor.heading_resolution_${lang}`) });
      }
    }
    const gapKey = draftId ? '' : str(req.query.gap).slice(0, 200);
    editor(req, res, 200, { form, extraKeys: [], issues: [], ...(draftId ? { draftId } : {}), ...(gapKey ? { gapKey } : {}), ...(prefilledFrom ? { prefilledFrom } : {}) });
  });

  router.get('/knowledge/edit/:id', async (req, res) => {
    const found = isArticleId(req.params.id) ? files.read(req.params.id) : undefined;
    if (!found) return notFound(req, res);
    const { article, content, hash } = found;
    const comments = await insights.articleComments(article.id);
    editor(req, res, 200, {
      comments,
      form: formFromArticle(article),
      existingId: article.id,
      file: article.file,
      baseHash: hash,
      extraKeys: Object.keys(article.metadata),
      issues: files.validate(article.file, content),
      saved: req.query.saved === '1',
    });
  });

  /** Save, then make it live: the knowledge service re-reads the folder and swaps atomically. */
  const saveArticle = async (request: { form: ArticleForm; existingId?: string; baseHash?: string; draftId?: string; gapKey?: string; by?: string }): Promise<SaveResult> => {
    const result = files.save({ form: request.form, ...(request.existingId ? { existingId: request.existingId } : {}), ...(request.baseHash ? { baseHash: request.baseHash } : {}) });
    if (!result.ok) return result;
    deps.logger.info({ articleId: result.id, file: result.file, created: result.created }, 'article saved from the console');
    await deps.knowledge.reload();
    const by = request.by ?? 'console';
    if (request.draftId) {
      const draft = await deps.drafts.markPublished(request.draftId, { articleId: result.id, file: result.file });
      // A ticket no article answered, now answered by the article written from it: the ticket's question is its label.
      const question = Array.isArray(draft?.frontMatter.questions) ? draft.frontMatter.questions.find((q): q is string => typeof q === 'string') : undefined;
      if (draft && question) {
        await label({ question, lang: draft.lang, verdict: 'article', articleId: result.id, source: 'gap_article', by, ...(draft.source.conversationId ? { conversationId: draft.source.conversationId } : {}), ref: `draft:${draft.id}` });
      }
    }
    if (request.gapKey && deps.labels) {
      // Every question of the gap the article was written for (the widest period the Gaps page offers).
      const gap = (await insights.gaps(Math.max(...GAP_PERIODS))).find((c) => c.key === request.gapKey);
      for (const item of gap?.items ?? []) {
        await label({ question: item.question, lang: item.lang, verdict: 'article', articleId: result.id, source: 'gap_article', by, conversationId: item.conversationId, ref: `gap:${item.topicId}` });
      }
    }
    return result;
  };

  router.post('/knowledge/save', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = formFromBody(body);
    const existingId = str(body.existing_id) || undefined;
    const baseHash = str(body.base_hash) || undefined;
    const draftId = str(body.draft_id) || undefined;
    const gapKey = str(body.gap).slice(0, 200) || undefined;
    const result = await saveArticle({ form, existingId, baseHash, draftId, gapKey, ...(meOf(res) ? { by: meOf(res)! } : {}) });
    if (result.ok) {
      res.redirect(303, `/admin/knowledge/edit/${encodeURIComponent(result.id)}?saved=1`);
      return;
    }
    const current = existingId ? files.read(existingId) : undefined;
    editor(req, res, result.status, {
      form,
      ...(existingId ? { existingId } : {}),
      ...(current ? { file: current.article.file, extraKeys: Object.keys(current.article.metadata) } : { extraKeys: [] }),
      ...(baseHash ? { baseHash } : {}),
      ...(draftId ? { draftId } : {}),
      ...(gapKey ? { gapKey } : {}),
      issues: result.issues,
    });
  });

  router.post('/api/articles', async (req, res) => {
    const parsed = apiArticleSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      return;
    }
    const { existingId, baseHash, frontMatter, body } = parsed.data;
    const result = await saveArticle({ form: formFromBody({ ...frontMatter, body }), ...(existingId ? { existingId } : {}), ...(baseHash ? { baseHash } : {}) });
    if (!result.ok) {
      res.status(result.status).json({ error: 'refused', issues: result.issues });
      return;
    }
    res.status(result.created ? 201 : 200).json({ id: result.id, file: result.file, warnings: result.warnings, knowledge: deps.knowledge.status() });
  });

  router.post('/api/preview', (req, res) => {
    const markdown = (req.body as { markdown?: unknown } | undefined)?.markdown;
    if (typeof markdown !== 'string' || markdown.length > 400_000) {
      res.status(400).json({ error: 'invalid_request', message: 'markdown: expected a string' });
      return;
    }
    res.json({ html: renderMarkdown(markdown) });
  });

  router.get('/knowledge/sources', (req, res) => {
    send(res, 200, sourcesPage(ctxOf(req, res), { sources: deps.knowledgeSync?.status() ?? [], synced: req.query.synced === '1' }));
  });

  // "Sync now": waits for the run (it joins one already going), which reloads the knowledge when something changed.
  router.post('/knowledge/sync', async (_req, res) => {
    await deps.knowledgeSync?.runNow();
    res.redirect(303, '/admin/knowledge/sources?synced=1');
  });

  router.post('/drafts/:id/discard', async (req, res) => {
    await deps.drafts.discard(req.params.id);
    res.redirect(303, '/admin/knowledge#drafts');
  });

  // --- Account actions (audit log) ------------------------------------------------------------
  router.get('/actions', async (req, res) => {
    send(res, 200, actionsPage(ctxOf(req, res), (await deps.actionAudit?.recent(200)) ?? []));
  });

  // --- Gaps ----------------------------------------------------------------------------------
  router.get('/gaps', async (req, res) => {
    const ctx = ctxOf(req, res);
    const days = periodOf(req);
    send(res, 200, gapsPage(ctx, await insights.gaps(days), days, titleOf(ctx.lang)));
  });

  router.get('/api/gaps', async (req, res) => {
    res.json(await insights.gaps(periodOf(req)));
  });

  // --- Conversations -------------------------------------------------------------------------
  router.get('/conversations', async (req, res) => {
    const ctx = ctxOf(req, res);
    const status = (STATUSES as string[]).includes(str(req.query.status)) ? (str(req.query.status) as ConversationStatus) : undefined;
    const page = Math.max(0, Math.min(10_000, Number.parseInt(str(req.query.page), 10) || 0));
    const q = { user: str(req.query.user).trim().slice(0, 200), text: str(req.query.text).trim().slice(0, 200), status: status ?? '', page };
    const rows =
      (await deps.store.searchConversations?.({
        ...(q.user ? { user: q.user } : {}),
        ...(q.text ? { text: q.text } : {}),
        ...(status ? { status } : {}),
        limit: CONVERSATION_PAGE,
        offset: page * CONVERSATION_PAGE,
      })) ?? [];
    send(res, 200, conversationsPage(ctx, q, rows, CONVERSATION_PAGE));
  });

  router.get('/conversations/:id', async (req, res) => {
    const ctx = ctxOf(req, res);
    const conversation = await deps.store.getConversation(req.params.id);
    if (!conversation) return notFound(req, res);
    const [turns, events, labels] = await Promise.all([
      deps.store.transcript(conversation.id),
      deps.store.events({ conversationId: conversation.id }),
      deps.labels?.list({ conversationId: conversation.id, sources: ['console_mark'] }),
    ]);
    const marking = labels && ctx.csrf ? { conversationId: conversation.id, marks: new Map(labels.flatMap((x) => (x.turnId !== undefined ? [[x.turnId, x] as const] : []))) } : undefined;
    send(res, 200, transcriptPage(ctx, conversation, turns, events, await deps.outbox.byConversation(conversation.id), titleOf(ctx.lang), marking));
  });

  // "Right article / wrong article / should have escalated" on a question the bot handled.
  const markForm = z.object({
    mark: z.enum(TURN_MARKS),
    shown: z.string().max(200).optional(),
    correct: z.string().trim().max(200).optional(),
  });
  router.post('/conversations/:id/turns/:turnId/mark', async (req, res) => {
    const ctx = ctxOf(req, res);
    const conversation = await deps.store.getConversation(req.params.id);
    const turnId = Number(req.params.turnId);
    const turn = conversation && Number.isInteger(turnId) ? (await deps.store.transcript(conversation.id)).find((x) => x.id === turnId && x.direction === 'in') : undefined;
    if (!deps.labels || !conversation || !turn) return notFound(req, res);
    const parsed = markForm.safeParse(req.body ?? {});
    const f = parsed.success ? parsed.data : undefined;
    const correct = f?.correct || undefined;
    // right / wrong: about the article shown; article: "should have answered with" (named); escalate: needs neither.
    const bad =
      !f ||
      ((f.mark === 'right' || f.mark === 'wrong') && !(f.shown && knownArticle(f.shown))) ||
      (f.mark === 'article' && correct === undefined) ||
      (correct !== undefined && !knownArticle(correct));
    if (bad) {
      send(res, 400, layout(ctx, { title: ctx.t('transcript.mark_invalid'), active: 'conversations', body: html`<p>${ctx.t('transcript.mark_invalid')}</p><p><a href="/admin/conversations/${encodeURIComponent(conversation.id)}">${ctx.t('transcript.back')}</a></p>` }));
      return;
    }
    const verdict =
      f.mark === 'escalate' ? ({ verdict: 'escalate' } as const)
      : f.mark === 'right' ? ({ verdict: 'article', articleId: f.shown! } as const)
      : correct ? ({ verdict: 'article', articleId: correct } as const)  // wrong + the right one named, or article
      : ({ verdict: 'not_article', articleId: f.shown! } as const);
    const recorded = await label({ question: turn.text, lang: turn.lang ?? conversation.lang, ...verdict, source: 'console_mark', by: meOf(res) ?? 'console', conversationId: conversation.id, turnId: turn.id, ref: `mark:${turn.id}` });
    if (!recorded) {
      send(res, 400, layout(ctx, { title: ctx.t('transcript.mark_invalid'), active: 'conversations', body: html`<p>${ctx.t('transcript.mark_invalid')}</p>` }));
      return;
    }
    res.redirect(303, `/admin/conversations/${encodeURIComponent(conversation.id)}?marked=${turn.id}`);
  });

  // --- Calibration: learning from the desk ------------------------------------------------------
  router.get('/calibration', async (req, res) => {
    if (!deps.calibration) return notFound(req, res);
    send(res, 200, calibrationPage(ctxOf(req, res), await deps.calibration.view(), str(req.query.done)));
  });

  const targetForm = z.object({ target: z.coerce.number().min(0.5).max(0.99) });
  router.post('/calibration/refit', (req, res) => {
    const parsed = targetForm.safeParse(req.body ?? {});
    if (!deps.calibration) return notFound(req, res);
    if (!parsed.success) return res.redirect(303, '/admin/calibration?done=invalid');
    const started = deps.calibration.refit(parsed.data.target);
    res.redirect(303, `/admin/calibration?done=${started ? 'started' : 'busy'}`);
  });

  router.post('/calibration/operating-point', async (req, res) => {
    const parsed = targetForm.safeParse(req.body ?? {});
    if (!deps.calibration) return notFound(req, res);
    if (!parsed.success) return res.redirect(303, '/admin/calibration?done=invalid');
    const ok = await deps.calibration.choose(parsed.data.target);
    res.redirect(303, `/admin/calibration?done=${ok ? 'chosen' : 'no_refit'}`);
  });

  // --- Tickets and outbox --------------------------------------------------------------------
  const meOf = (res: Response): string | undefined => {
    const name = (res.locals.cookies as Record<string, string>)[NAME_COOKIE]?.trim();
    return name ? name.slice(0, 80) : undefined;
  };

  const queueOf = async (req: Request, me: string | undefined): Promise<{ q: QueueQuery; rows: LocalTicket[] }> => {
    const assignee = (ASSIGNEE_FILTERS as readonly string[]).includes(str(req.query.assignee)) ? (str(req.query.assignee) as QueueQuery['assignee']) : 'any';
    const q: QueueQuery = { state: str(req.query.state), priority: str(req.query.priority), assignee, q: str(req.query.q).trim().slice(0, 200) };
    const states = (WORK_STATES as readonly string[]).includes(q.state) ? [q.state] : q.state === 'all' ? undefined : ['new', 'in_progress', 'on_hold'];
    const needle = q.q.toLowerCase();
    const rows = ((await deps.tickets?.list({ ...(states ? { states: states as (typeof WORK_STATES)[number][] } : {}), limit: 500 })) ?? []).filter(
      (tk) =>
        (!q.priority || tk.priority === q.priority) &&
        (q.assignee === 'any' || (q.assignee === 'unassigned' ? !tk.assignee : Boolean(me) && tk.assignee === me)) &&
        (!needle || [tk.number, tk.title, tk.requesterName ?? '', tk.requesterEmail ?? '', tk.packet.question].some((x) => x.toLowerCase().includes(needle))),
    );
    return { q, rows };
  };

  router.get('/tickets', async (req, res) => {
    const ctx = ctxOf(req, res);
    const me = meOf(res);
    const done = str(req.query.done);
    const [counts, dead, pending, delivered] = await Promise.all([deps.outbox.counts(), deps.outbox.deadLetters(100), deps.outbox.pending(100), deps.outbox.deliveredItems(20)]);
    const queue = deps.tickets ? await queueOf(req, me) : undefined;
    send(
      res,
      200,
      ticketsPage(ctx, {
        provider: deps.providerName,
        counts,
        dead,
        pending,
        delivered,
        ...(queue ? { queue: ticketQueue(ctx, queue.rows, queue.q, me) } : {}),
        ...(done === 'retried' || done === 'resolved' ? { flash: ctx.t(`tickets.done_${done}`) } : {}),
      }),
    );
  });

  // --- One ticket: the escalation packet, assignment, state, notes, reply -----------------------
  const FLASHES = ['assigned', 'state', 'note', 'replied', 'reply_failed'] as const;
  router.get('/tickets/:number', async (req, res) => {
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket) return notFound(req, res);
    const ctx = ctxOf(req, res);
    const done = str(req.query.done);
    const flash = (FLASHES as readonly string[]).includes(done) ? { kind: done === 'reply_failed' ? ('bad' as const) : ('ok' as const), text: ctx.t(`ticket.done_${done}`) } : undefined;
    send(
      res,
      200,
      ticketPage(ctx, {
        ticket,
        history: await deps.tickets.history(ticket.number),
        notes: (await deps.notes?.list(deps.providerName, ticket.number)) ?? [],
        ...(meOf(res) ? { me: meOf(res) } : {}),
        canReply: Boolean(deps.replies?.sender(ticket.channel)),
        ...(flash ? { flash } : {}),
      }),
    );
  });

  const ticketForm = z.object({
    name: z.string().trim().min(1).max(80).optional(),
    state: z.enum(WORK_STATES).optional(),
    notes: z.string().max(20_000).optional(),
    text: z.string().trim().min(1).max(20_000).optional(),
    /** The article that solved it (resolving with an article makes the ticket's question a labelled example). */
    article: z.string().trim().max(200).optional(),
  });
  const backTo = (res: Response, number: string, done: (typeof FLASHES)[number]) => res.redirect(303, `/admin/tickets/${encodeURIComponent(number)}?done=${done}`);
  const badForm = (req: Request, res: Response, number: string) => {
    const ctx = ctxOf(req, res);
    send(res, 400, layout(ctx, { title: ctx.t('ticket.invalid'), active: 'tickets', body: html`<p>${ctx.t('ticket.invalid')}</p><p><a href="/admin/tickets/${encodeURIComponent(number)}">${ctx.t('ticket.back_ticket')}</a></p>` }));
  };

  router.post('/tickets/:number/assign', async (req, res) => {
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket) return notFound(req, res);
    const form = ticketForm.safeParse(req.body ?? {});
    if (!form.success || !form.data.name) return badForm(req, res, ticket.number);
    const name = form.data.name;
    res.cookie(NAME_COOKIE, name, { httpOnly: true, sameSite: 'strict', path: '/admin', secure: deps.secureCookie, maxAge: 365 * 24 * 3600 * 1000 });
    await deps.tickets.assign(ticket.number, name, { actor: name });
    backTo(res, ticket.number, 'assigned');
  });

  router.post('/tickets/:number/state', async (req, res) => {
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket) return notFound(req, res);
    const form = ticketForm.safeParse(req.body ?? {});
    if (!form.success || !form.data.state) return badForm(req, res, ticket.number);
    const article = form.data.article || undefined;
    const done = form.data.state === 'resolved' || form.data.state === 'closed';
    // Bad input changes nothing: an unknown article, or an article on a ticket not being resolved.
    if (article !== undefined && (!done || !knownArticle(article))) return badForm(req, res, ticket.number);
    const actor = meOf(res) ?? 'console';
    const notes = form.data.notes?.trim();
    if (form.data.state === 'resolved' && notes) await deps.tickets.resolve(ticket.number, notes, { actor });
    else await deps.tickets.setState(ticket.number, form.data.state, { actor, ...(notes ? { note: notes } : {}) });
    if (article) {
      await label({ question: ticket.packet.question, lang: ticket.lang, verdict: 'article', articleId: article, source: 'ticket_resolved', by: actor, conversationId: ticket.conversationId, ref: `ticket:${deps.providerName}:${ticket.number}` });
    }
    backTo(res, ticket.number, 'state');
  });

  router.post('/tickets/:number/note', async (req, res) => {
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket || !deps.notes) return notFound(req, res);
    const form = ticketForm.safeParse(req.body ?? {});
    if (!form.success || !form.data.text) return badForm(req, res, ticket.number);
    await deps.notes.add({ provider: deps.providerName, ticketNumber: ticket.number, kind: 'note', author: meOf(res) ?? 'console', text: form.data.text });
    backTo(res, ticket.number, 'note');
  });

  router.post('/tickets/:number/reply', async (req, res) => {
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket || !deps.notes || !deps.replies) return notFound(req, res);
    const form = ticketForm.safeParse(req.body ?? {});
    if (!form.success || !form.data.text || form.data.text.length > 4000) return badForm(req, res, ticket.number);
    const author = meOf(res) ?? deps.translator.t(ticket.lang, 'news.it_team');
    // Stored first: a reply that cannot be delivered is still on the ticket, marked as such.
    const note = await deps.notes.add({ provider: deps.providerName, ticketNumber: ticket.number, kind: 'reply', author, text: form.data.text });
    const address = { channel: ticket.channel, conversationId: ticket.conversationId, ...(ticket.packet.threadId ? { threadId: ticket.packet.threadId } : {}) };
    const message: OutboundMessage = {
      lang: ticket.lang,
      parts: [{ kind: 'text', text: `${deps.translator.t(ticket.lang, 'news.technician_reply', { technician: author, number: ticket.number })}\n\n${form.data.text}` }],
    };
    try {
      await deps.replies.send(address, message);
      await deps.notes.markDelivery(note.id, { delivered: true });
      deps.logger.info({ ticket: ticket.number, channel: ticket.channel }, 'technician reply delivered');
      backTo(res, ticket.number, 'replied');
    } catch (err) {
      await deps.notes.markDelivery(note.id, { delivered: false, error: err instanceof Error ? err.message : String(err) });
      backTo(res, ticket.number, 'reply_failed');
    }
  });

  router.post('/outbox/:id/retry', async (req, res) => {
    const item = await deps.outbox.retry(req.params.id);
    if (!item) return notFound(req, res);
    res.redirect(303, '/admin/tickets?done=retried');
  });

  router.post('/tickets/:number/resolve', async (req, res) => {
    const notes = str((req.body as Record<string, unknown>).notes).trim();
    const ticket = await deps.tickets?.get(req.params.number);
    if (!deps.tickets || !ticket) return notFound(req, res);
    if (!notes) {
      res.redirect(303, '/admin/tickets');
      return;
    }
    await deps.tickets.resolve(ticket.number, notes.slice(0, 20_000), { actor: 'console' });
    res.redirect(303, '/admin/tickets?done=resolved');
  });

  // --- Flows ---------------------------------------------------------------------------------
  router.get('/flows', async (req, res) => {
    const ctx = ctxOf(req, res);
    const dir = join(files.kbDir, 'flows');
    const { issues } = loadFlows(files.kbDir);
    const kb = files.load();
    const events = await deps.store.events({ types: ['flow_started', 'flow_ended'], since: new Date(now().getTime() - FLOW_EVENT_DAYS * DAY_MS).toISOString() });
    const rows: FlowRow[] = (existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort() : []).map((name) => {
      const file = `flows/${name}`;
      const parsed = parseFlowFile(readFileSync(join(dir, name), 'utf8'), file);
      const id = parsed.flow?.id ?? name.replace(/\.ya?ml$/, '');
      const mine = events.filter((e) => e.flowId === id);
      return {
        file,
        ...(parsed.flow ? { flow: parsed.flow } : {}),
        issues: issues.filter((i) => i.file === file),
        articles: kb.articles.filter((a) => a.flow === id).length,
        started: mine.filter((e) => e.type === 'flow_started').length,
        resolved: mine.filter((e) => e.type === 'flow_ended' && e.value === 'resolved').length,
        escalated: mine.filter((e) => e.type === 'flow_ended' && e.value === 'escalated').length,
      };
    });
    send(res, 200, flowsPage(ctx, rows));
  });

  router.use((req: Request, res: Response, _next: NextFunction) => {
    if (isApi(req)) {
      res.status(404).json({ error: 'not_found', message: `No console route for ${req.method} ${req.path}` });
      return;
    }
    notFound(req, res);
  });
  return router;
}
