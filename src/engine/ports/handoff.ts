import type { ConversationAddress } from '../contract.js';
import type { EscalationPacket } from '../escalation/packet.js';
import type { Lang } from '../lang.js';

/**
 * Live handoffs to a technician, durable (src/storage/sqlite/handoff-store.ts): a restart in the
 * middle of one resumes it. One record per escalation (its id is the packet id).
 *
 *   queued ──take──▶ taken ──close──▶ closed
 *     │                 ├──hand back──▶ handed_back
 *     └──cancel──▶ cancelled ◀──end (user)──┘
 *
 * Every transition is a compare-and-set on the current state, so two technicians pressing
 * "Take it" at once, or a close racing a hand-back, leave exactly one winner.
 */
export type HandoffState = 'queued' | 'taken' | 'closed' | 'handed_back' | 'cancelled';
export type HandoffEnd = Extract<HandoffState, 'closed' | 'handed_back' | 'cancelled'>;
export const ACTIVE_HANDOFF_STATES: readonly HandoffState[] = ['queued', 'taken'];

export interface Technician {
  id: string;
  name: string;
}

export interface HandoffRecord {
  /** The escalation packet id. */
  id: string;
  /** Where the user is. */
  user: ConversationAddress;
  /** The technicians' conversation; `threadId` is the card's message id once the card is posted. */
  technicians: ConversationAddress;
  /** Language of the technicians' channel. */
  techniciansLang: Lang;
  packet: EscalationPacket;
  state: HandoffState;
  technician?: Technician;
  /** Who ended it (technician name, or "user"). */
  endedBy?: string;
  ticketNumber?: string;
  remindersSent: number;
  /** The last reminder, or the queueing time before the first. */
  lastReminderAt?: string;
  /** Set when the user was asked for a satisfaction rating; the rating buttons carry it. */
  ratingNonce?: string;
  rating?: number;
  createdAt: string;
  updatedAt: string;
  takenAt?: string;
  endedAt?: string;
}

export type NewHandoff = Pick<HandoffRecord, 'id' | 'user' | 'technicians' | 'techniciansLang' | 'packet'>;

export interface HandoffStore {
  /** Idempotent on the id: a second call returns the first record with `created: false`. */
  create(handoff: NewHandoff, at: string): Promise<{ record: HandoffRecord; created: boolean }>;
  get(id: string): Promise<HandoffRecord | undefined>;
  /** The queued or taken handoff of the user's conversation, if any. */
  active(user: ConversationAddress): Promise<HandoffRecord | undefined>;
  /** The user conversation's most recent handoff (a typed rating is for it). */
  latest(user: ConversationAddress): Promise<HandoffRecord | undefined>;
  /** The handoff whose card opened this thread of the technicians' channel. */
  byThread(address: ConversationAddress): Promise<HandoffRecord | undefined>;
  /** Records where the card was posted (its message id becomes the thread id). */
  setCard(id: string, messageId: string, at: string): Promise<void>;
  setTicket(id: string, ticketNumber: string, at: string): Promise<void>;
  /** queued → taken, only if still queued: exactly one concurrent caller wins. */
  take(id: string, technician: Technician, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }>;
  /** Ends an active handoff (`from` lists the states it may end from); false when someone else ended it first. */
  end(id: string, to: HandoffEnd, from: readonly HandoffState[], endedBy: string, at: string): Promise<{ won: boolean; record: HandoffRecord | undefined }>;
  /** Queued handoffs whose last reminder (or queueing) is older than `before`, with fewer than `maxReminders` sent. */
  dueReminders(before: string, maxReminders: number): Promise<HandoffRecord[]>;
  /** Counts a reminder only if none was counted since `seen` reminders: a second process skips it. */
  recordReminder(id: string, seen: number, at: string): Promise<boolean>;
  /** Queued or taken handoffs whose card is not posted yet (the post failed): retried by the watchdog. */
  withoutCard(): Promise<HandoffRecord[]>;
  setRatingNonce(id: string, nonce: string, at: string): Promise<void>;
  /** Stores the first rating only; false when it was already rated or the nonce does not match. */
  rate(id: string, nonce: string, rating: number, at: string): Promise<boolean>;
}
