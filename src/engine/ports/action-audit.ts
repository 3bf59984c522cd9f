/**
 * The audit log of account actions (unlock, MFA reset, sign-out everywhere, …): who asked, what,
 * when, through which provider, and the result. Every attempt is recorded, refused ones included.
 */
export type ActionAuditOutcome = 'ok' | 'fail' | 'refused';

export interface ActionAuditEntry {
  at: string;
  /** e.g. directory.unlockAccount */
  action: string;
  provider: string;
  channel: string;
  /** The channel's user id (Teams AAD object id, Slack user id, verified web subject). */
  userId: string;
  userName?: string;
  /** The account acted on, as the directory knows it (e-mail, DN or id). */
  account?: string;
  conversationId: string;
  outcome: ActionAuditOutcome;
  /** Technical detail: the provider's answer or the reason for a refusal. */
  detail?: string;
}

export interface ActionAuditLog {
  record(entry: ActionAuditEntry): Promise<void>;
  /** Attempts that reached the provider (ok or fail) by this user since `since` (ISO): the per-user rate limit. */
  attemptsSince(channel: string, userId: string, since: string): Promise<number>;
  /** Newest first. */
  recent(limit: number): Promise<ActionAuditEntry[]>;
}
