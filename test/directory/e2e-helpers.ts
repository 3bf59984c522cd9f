import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { BotConnectorServer, ConnectorCall } from '../helpers/bot-connector-server.js';
import { findAll } from '../channels/teams/adaptive-card.js';
import { postJson } from '../helpers/http.js';

/** A Teams user chatting with the bot through the local Bot Connector, clicking buttons by their title. */

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT = { id: '28:0b1c2d3e-bot', name: 'IT Helpdesk' };

export interface TeamsPerson {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
}

export function teamsChat(serverUrl: string, connector: BotConnectorServer, person: TeamsPerson) {
  const conversationId = `a:${randomUUID()}`;
  connector.members.set(person.id, { id: person.id, name: person.name, aadObjectId: person.aadObjectId, email: person.email, tenantId: TENANT });
  const mine = (): ConnectorCall[] => connector.messages().filter((c) => c.conversationId === conversationId);
  const activity = (extra: Record<string, unknown>) => ({
    type: 'message',
    id: `f:${randomUUID()}`,
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: person.id, name: person.name, aadObjectId: person.aadObjectId },
    recipient: BOT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
    ...extra,
  });
  /** Posts, waits for the bot's replies to it, returns them. */
  const send = async (extra: Record<string, unknown>): Promise<ConnectorCall[]> => {
    const before = mine().length;
    const res = await postJson(`${serverUrl}/api/messages`, activity(extra));
    expect(res.status).toBe(200);
    await connector.waitFor(() => mine().length > before);
    return mine().slice(before);
  };
  const text = (calls: ConnectorCall[]): string => JSON.stringify(calls.map((c) => c.activity));
  const buttons = (calls: ConnectorCall[]) => calls.flatMap((c) => findAll(c.activity, 'Action.Submit')) as Array<{ title?: string; data?: unknown }>;
  return {
    conversationId,
    say: (words: string) => send({ text: words }),
    /** Clicks the button titled `title` among the replies `calls`. */
    click: async (calls: ConnectorCall[], title: string) => {
      const button = buttons(calls).find((b) => b.title === title);
      if (!button) throw new Error(`no "${title}" button among ${JSON.stringify(buttons(calls).map((b) => b.title))}`);
      return send({ value: button.data });
    },
    buttons: (calls: ConnectorCall[]) => buttons(calls).map((b) => b.title),
    text,
  };
}
