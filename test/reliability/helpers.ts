import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson } from '../helpers/http.js';
import { REPO_KNOWLEDGE } from '../helpers/server-process.js';

/** Shared by the reliability tests: a fast server configuration, the web chat API, the database. */

/** Lexical-only (no model to load), fast outbox polling, no rate limit unless a test sets one. */
export function baseEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    KB_DIR: REPO_KNOWLEDGE,
    EMBEDDINGS_PROVIDER: 'none',
    TICKET_OUTBOX_POLL_MS: '50',
    TICKET_OUTBOX_BASE_DELAY_MS: '50',
    RATE_LIMIT_BURST: '0',
    RATE_LIMIT_ADDRESS_BURST: '0',
    TICKET_RATE_LIMIT_BURST: '0',
    // Web users are named by a signing-in reverse proxy (this test process): stable across restarts, no contact questions.
    WEB_AUTH: 'proxy',
    WEB_AUTH_PROXY_ADDRESSES: '127.0.0.1, ::1',
  };
}

/** The tenant every simulated Teams user belongs to. */
export const TEAMS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** A message activity in a Teams personal chat, as the Bot Framework posts it to /api/messages. */
export function teamsActivity(
  serviceUrl: string,
  conversationId: string,
  from: { id: string; name: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'message',
    serviceUrl,
    channelId: 'msteams',
    from,
    recipient: { id: '28:bot', name: 'IT Helpdesk' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TEAMS_TENANT },
    channelData: { tenant: { id: TEAMS_TENANT } },
    locale: 'en-US',
    ...extra,
  };
}

export const postActivity = (url: string, activity: unknown): Promise<Response> =>
  fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `helpdesk-${prefix}-`));

export type Payload = Record<string, unknown>;

export interface WebPart {
  kind: string;
  choices?: Array<{ label: string; value: Payload }>;
  blocks?: unknown;
  number?: string;
  state?: string;
}

export interface ChatReply {
  status: number;
  replies: Array<{ id: string; lang: string; parts: WebPart[] }>;
  json: any;
}

export interface ChatInput {
  conversationId: string;
  userId: string;
  text?: string;
  action?: Payload;
  messageId?: string;
  locale?: string;
}

export async function chat(url: string, input: ChatInput): Promise<ChatReply> {
  const body = {
    conversationId: input.conversationId,
    user: { id: input.userId, ...(input.locale ? { locale: input.locale } : {}) },
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(input.action ? { action: { payload: input.action } } : { text: input.text }),
  };
  const res = await postJson(`${url}/api/chat`, body, { 'x-forwarded-user': input.userId });
  const json = res.json as any;
  return { status: res.status, replies: Array.isArray(json?.replies) ? json.replies : [], json };
}

/** Button payloads offered by a reply, by their action name ("a"). */
export function choices(reply: ChatReply, action?: string): Payload[] {
  return reply.replies
    .flatMap((m) => m.parts.flatMap((p) => (p.kind === 'choices' ? (p.choices ?? []).map((c) => c.value) : [])))
    .filter((v) => action === undefined || v.a === action);
}

/** Every piece of text of a reply (blocks flattened), for assertions on wording. */
export function replyText(reply: ChatReply): string {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o.text === 'string') texts.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(reply.replies);
  return texts.join(' ');
}

export function openReadOnly(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

export function query<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = openReadOnly(file);
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
