import type { ConversationAddress } from '../../engine/contract.js';

/**
 * Teams conversation ids ↔ engine addresses. In a team channel every thread has its own
 * conversation id, "<channel id>;messageid=<root post id>"; the engine sees the channel as the
 * conversation and the root post as the thread, so "post into this thread" and "start a new post
 * in this channel" are both expressible. Personal and group chats have no thread part.
 */

export const TEAMS_CHANNEL = 'teams';

const THREAD = /^(.*);messageid=(\d+)$/;

export function teamsAddress(conversationId: string): ConversationAddress {
  const m = THREAD.exec(conversationId);
  return m?.[1] && m[2]
    ? { channel: TEAMS_CHANNEL, conversationId: m[1], threadId: m[2] }
    : { channel: TEAMS_CHANNEL, conversationId };
}

export function teamsConversationId(address: ConversationAddress): string {
  return address.threadId ? `${address.conversationId};messageid=${address.threadId}` : address.conversationId;
}
