import { createHmac, randomUUID } from 'node:crypto';
import { BOT_ID, BOT_USER_ID, TEAM_ID } from './slack-api-server.js';

/**
 * What Slack POSTs to /api/slack/events: signed Events API callbacks and form-encoded
 * interactivity payloads (block_actions), signed with the app's signing secret
 * (https://api.slack.com/authentication/verifying-requests-from-slack).
 */

export const now = (): number => Math.floor(Date.now() / 1000);
let tsSeq = 0;
export const nextTs = (): string => `${now()}.${String(++tsSeq).padStart(6, '0')}`;

export function slackSignature(body: string, timestamp: number, secret: string): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface Sent {
  status: number;
  text: string;
}

/** POSTs a raw body to the app's Slack endpoint. */
export async function send(url: string, body: string, contentType: string, headers: Record<string, string>): Promise<Sent> {
  const res = await fetch(`${url}/api/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
  return { status: res.status, text: await res.text() };
}

export function eventBody(event: Record<string, unknown>, eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: TEAM_ID,
    api_app_id: 'A0HELPDESK',
    event: { team: TEAM_ID, event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: eventId,
    event_time: now(),
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
}

export async function postEvent(
  url: string,
  secret: string,
  event: Record<string, unknown>,
  options: { eventId?: string; headers?: Record<string, string>; timestamp?: number } = {},
): Promise<Sent> {
  const body = eventBody(event, options.eventId);
  return send(url, body, 'application/json', { ...slackSignature(body, options.timestamp ?? now(), secret), ...options.headers });
}

export interface PostedButton {
  action_id: string;
  value: string;
  text: { text: string };
}

export function buttonsOf(blocks: unknown): PostedButton[] {
  return ((blocks as Array<{ type: string; elements?: PostedButton[] }>) ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
}

/** A block_actions payload as Slack sends it when someone clicks a button of a message the bot posted. */
export async function click(
  url: string,
  secret: string,
  message: { channel: string; ts: string; text?: unknown; blocks?: unknown; thread_ts?: unknown },
  button: PostedButton,
  user: string,
): Promise<Sent> {
  const payload = {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM_ID },
    api_app_id: 'A0HELPDESK',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: `${Date.now()}.1234.abcd`,
    team: { id: TEAM_ID, domain: 'helpdesk-test' },
    is_enterprise_install: false,
    channel: { id: message.channel, name: 'technicians' },
    message: { type: 'message', user: BOT_USER_ID, bot_id: BOT_ID, ts: message.ts, text: message.text, blocks: message.blocks, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
    response_url: 'https://hooks.slack.invalid/actions/T0/1/abc',
    actions: [{ action_id: button.action_id, block_id: 'b1', text: { type: 'plain_text', text: button.text.text, emoji: true }, value: button.value, type: 'button', action_ts: nextTs() }],
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return send(url, body, 'application/x-www-form-urlencoded', slackSignature(body, now(), secret));
}
