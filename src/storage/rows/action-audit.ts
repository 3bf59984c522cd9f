import type { ActionAuditEntry } from '../../engine/ports/action-audit.js';

/** The action_audit row and its mapping to an entry, shared by the SQLite and PostgreSQL logs. */
export interface ActionAuditRow {
  at: string;
  action: string;
  provider: string;
  channel: string;
  user_id: string;
  user_name: string | null;
  account: string | null;
  conversation_id: string;
  outcome: ActionAuditEntry['outcome'];
  detail: string | null;
}

export const toEntry = (r: ActionAuditRow): ActionAuditEntry => ({
  at: r.at,
  action: r.action,
  provider: r.provider,
  channel: r.channel,
  userId: r.user_id,
  ...(r.user_name ? { userName: r.user_name } : {}),
  ...(r.account ? { account: r.account } : {}),
  conversationId: r.conversation_id,
  outcome: r.outcome,
  ...(r.detail ? { detail: r.detail } : {}),
});
