import type { Lang } from './lang.js';
import type { EscalationPacket } from './escalation/packet.js';

/**
 * The channel-neutral contract between the engine and every channel (Teams, Slack, web chat, CLI).
 * Channels translate their transport into an InboundEvent, call Engine.handle, and render the
 * OutboundMessages they get back. They never decide anything themselves.
 */

/** Where a conversation lives, enough for a channel to post into it later (proactive messages). */
export interface ConversationAddress {
  /** Channel name: 'teams' | 'slack' | 'web' | 'cli' | 'test', open-ended for new connectors. */
  channel: string;
  conversationId: string;
  /** Slack thread ts, Teams reply-chain id: set when the bot talks inside a thread. */
  threadId?: string;
}

export interface UserRef {
  /** Stable id within the channel (Teams aadObjectId or from.id, Slack user id, web session id). */
  id: string;
  name?: string;
  email?: string;
  /**
   * The channel could not verify who this is (the web chat's anonymous sessions): the id is stable
   * for that browser only, and name and e-mail, if any, are what the user typed. Such an e-mail is
   * never used to find the user's tickets, and the bot asks for a name and contact before a ticket.
   */
  anonymous?: boolean;
  /** Locale reported by the channel, e.g. "fr-FR"; a hint, the message text decides the reply language. */
  locale?: string;
  /**
   * Audiences (directory groups, roles) the channel verified for this user; never taken from what
   * a client claims. Unset: the user sees articles for everyone only (see engine/knowledge/audience.ts).
   */
  groups?: string[];
  /**
   * Set by the web chat only when an identity provider vouched for the user (OIDC sign-in or a
   * trusted proxy). Teams and Slack identities are verified by the platform itself. Actions on the
   * user's own account (unlock, MFA reset) require a verified identity, never a claimed one.
   */
  verified?: { by: string; subject: string; email?: string };
}

/**
 * A button press. `payload` is whatever the engine put in a Choice's `value`, round-tripped opaquely
 * by the channel (Adaptive Card Action.Submit data, Slack button value). The engine validates it:
 * it came from the outside world.
 */
export interface ActionInput {
  payload: unknown;
  /** Channel id of the message carrying the button, so a channel can update it in place (Slack chat.update). */
  sourceMessageId?: string;
  /**
   * What the user typed along with the click (Teams' thumbs up / down form). Kept only with
   * article feedback, redacted and capped by the engine like any user text.
   */
  comment?: string;
}

export interface InboundEvent {
  address: ConversationAddress;
  user: UserRef;
  /** The channel's own message id (Teams activity id, Slack client_msg_id / event_id): deduplication key. */
  messageId?: string;
  /** Exactly one of text or action is set. */
  text?: string;
  action?: ActionInput;
  /** ISO timestamp when the channel received it. */
  receivedAt?: string;
  /** What the channel shows while the turn is worked on (not stored; channels without live updates omit it). */
  progress?: TurnProgress;
}

/**
 * Live progress of a turn, for channels that can show it before the replies (Teams streaming,
 * Slack status and chat streaming, web chat SSE). The replies `handle` returns stay the truth:
 * a channel ends whatever it showed with them.
 */
export interface TurnProgress {
  /** The engine starts searching the knowledge base for the user's question. */
  searching?(): void;
  /**
   * A language-model answer is being written: the iterable yields its text in order, each piece
   * only once the text up to it passed the grounding check. It ends when the model is done; the
   * final checked answer (or the extractive one, if the whole answer fails a later check) is in
   * the replies.
   */
  answering?(text: AsyncIterable<string>): void;
}

/** JSON-serialisable value the engine attaches to a button; must stay under 2,000 characters once serialised (Slack limit). */
export type ActionPayload = { [key: string]: string | number | boolean | null | undefined };

export interface Choice {
  label: string;
  value: ActionPayload;
  style?: 'primary' | 'default' | 'danger';
}

/**
 * Parts of a message, rendered in order. All strings are already in the reply language.
 * `text` uses a small Markdown subset every channel can render: **bold**, _italic_, `code`,
 * [label](https://url), "- " bullet lines and blank-line paragraphs.
 */
export type ReplyPart =
  /** `generated`: written by the language model (channels show their AI-generated label). */
  | { kind: 'text'; text: string; generated?: boolean }
  | { kind: 'steps'; title?: string; steps: string[] }
  | {
      kind: 'citation';
      articleId: string;
      title: string;
      url?: string;
      /** Localised freshness label, e.g. "updated 3 months ago". */
      updatedLabel?: string;
      /** Localised warning when the article is past its review_by date. */
      staleWarning?: string;
    }
  | { kind: 'choices'; prompt?: string; choices: Choice[] }
  | {
      kind: 'ticket';
      state: 'opening' | 'opened' | 'failed' | 'status';
      text: string;
      number?: string;
      url?: string;
      status?: string;
    }
  | {
      kind: 'handoff';
      state: 'queued' | 'taken' | 'relay' | 'ended';
      text: string;
      technician?: string;
    };

export interface OutboundMessage {
  lang: Lang;
  parts: ReplyPart[];
  /**
   * When set, channels that can edit messages replace the message that carried the clicked button
   * (Slack chat.update, Teams updateActivity) instead of posting a new one.
   */
  replacesSourceMessage?: boolean;
  /**
   * Set on the reply to a long pasted message of which only the beginning was read: channels may
   * show that user message collapsed ("show more"), and know how much of it the bot read.
   */
  inputTruncated?: { readChars: number; totalChars: number };
  /**
   * A stable id for a message that may be sent again (a ticket announcement replayed after a crash):
   * channels that can de-duplicate (the web chat's event stream) use it instead of a fresh one.
   */
  id?: string;
}

export interface Engine {
  /** Handles one inbound event; the event is durably stored before this resolves. */
  handle(event: InboundEvent): Promise<OutboundMessage[]>;
}

/** What a channel reports once it has posted a message. */
export interface SentMessage {
  /**
   * The channel's id of the posted message (Teams activity id, Slack ts, web chat message id).
   * Posting again with `threadId` set to it replies in that message's thread.
   */
  messageId?: string;
}

/** Options for the technicians' summary card of an escalation. */
export interface HandoffCardOptions {
  /** Language of the technicians' channel. */
  lang?: Lang;
  /** Set once a technician took the request: the "Take it" button becomes "Taken by …". */
  takenBy?: string;
  /** Update this already-posted card in place instead of posting a new one. */
  replaceMessageId?: string;
}

/** Implemented by each channel so the engine can speak first (ticket number known, status change, technician relay). */
export interface ProactiveSender {
  readonly channel: string;
  /** Posts into the conversation (into its thread when `address.threadId` is set) and resolves once the channel accepted it. */
  send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage>;
  /**
   * Posts (or updates) the technicians' summary card for an escalation, with its "Take it" button;
   * channels that have a technicians' card implement it (Teams, Slack).
   */
  sendHandoffCard?(address: ConversationAddress, packet: EscalationPacket, options?: HandoffCardOptions): Promise<SentMessage>;
}

/**
 * What happens in the technicians' channel (configured per channel) reaches the live-handoff relay
 * through this hook instead of the engine: thread replies to relay to the user, and button clicks
 * ("Take it"). The relay answers through the ProactiveSenders. Channels route here every message
 * and click from the technicians' conversation, and any click whose payload is a handoff action.
 */
export interface TechnicianMessage {
  /** The technicians' conversation; `threadId` is the thread of the escalation's card. */
  address: ConversationAddress;
  /** The technician. */
  user: UserRef;
  messageId?: string;
  text: string;
  receivedAt?: string;
}

export interface TechnicianAction {
  address: ConversationAddress;
  user: UserRef;
  messageId?: string;
  /** The button's payload as received: validate it. */
  payload: unknown;
  /** Id of the message carrying the button (the card to update). */
  sourceMessageId?: string;
  receivedAt?: string;
}

export interface TechnicianEvents {
  onTechnicianMessage(message: TechnicianMessage): Promise<void>;
  onTechnicianAction(action: TechnicianAction): Promise<void>;
}
