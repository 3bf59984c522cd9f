import { migrate, type Db, type Migration } from './database.js';

/** Labelled examples (learning from the desk): human judgements tying a question to an article. */
export const LABELLED_EXAMPLES_MIGRATION: Migration = {
  name: 'labelled_examples/001_init',
  up: `
    CREATE TABLE labelled_examples (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      dedupe_key TEXT NOT NULL UNIQUE,
      question TEXT NOT NULL,
      lang TEXT NOT NULL,
      verdict TEXT NOT NULL CHECK (verdict IN ('article', 'escalate', 'not_article')),
      article_id TEXT,
      source TEXT NOT NULL,
      by_whom TEXT NOT NULL,
      at TEXT NOT NULL,
      conversation_id TEXT,
      turn_id INTEGER,
      ref TEXT
    );
    CREATE INDEX labelled_examples_conversation ON labelled_examples (conversation_id);
    CREATE INDEX labelled_examples_source ON labelled_examples (source, at);
  `,
};

/**
 * Every schema change of the embedded database, in one versioned list: a new database runs them
 * in this order, an existing one runs only those it has not recorded (`_migrations` keeps each
 * name), so a DATA_DIR written by any earlier release opens and is brought up to date. Append
 * only: never rename, edit or reorder one that has shipped. The groups name the store (port) that
 * owns the tables.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  // --- readiness probe (server_health)
  {
    name: 'server/001_health',
    up: `CREATE TABLE server_health (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      checked_at TEXT NOT NULL
    )`,
  },
  // --- ChannelReferences
  {
    name: 'channels/001_conversation_references',
    up: `
      CREATE TABLE conversation_references (
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        reference_json TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (channel, conversation_id)
      ) WITHOUT ROWID;
    `,
  },
  // --- DeliveryLog (inbound de-duplication)
  {
    name: 'channels/001_deliveries',
    up: `CREATE TABLE channel_deliveries (
      channel TEXT NOT NULL,
      key TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (channel, key)
    );
    CREATE INDEX channel_deliveries_seen ON channel_deliveries (seen_at);`,
  },
  {
    // Each key carries its own time to live; rows written before keep the day they had.
    name: 'channels/002_deliveries_expiry',
    up: `ALTER TABLE channel_deliveries ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;
         UPDATE channel_deliveries SET expires_at = seen_at + ${24 * 60 * 60 * 1000};
         CREATE INDEX channel_deliveries_expiry ON channel_deliveries (expires_at);`,
  },
  // --- ConversationStore
  {
    name: 'conversations/001_init',
    up: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        channel_conversation_id TEXT NOT NULL,
        thread_id TEXT NOT NULL DEFAULT '',
        user_id TEXT NOT NULL,
        user_name TEXT,
        user_email TEXT,
        user_locale TEXT,
        lang TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'resolved', 'escalated')),
        started_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        state_json TEXT NOT NULL DEFAULT '{}',
        UNIQUE (channel, channel_conversation_id, thread_id)
      );
      CREATE INDEX conversations_user ON conversations (user_id, last_activity_at);
      CREATE INDEX conversations_activity ON conversations (last_activity_at);

      CREATE TABLE conversation_turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        message_id TEXT,
        text TEXT NOT NULL,
        action_json TEXT,
        parts_json TEXT,
        lang TEXT,
        at TEXT NOT NULL,
        handled_at TEXT,
        replies_json TEXT
      );
      -- Redelivered messages: a channel message id is handled once per conversation.
      CREATE UNIQUE INDEX conversation_turns_dedup ON conversation_turns (conversation_id, message_id) WHERE message_id IS NOT NULL;
      CREATE INDEX conversation_turns_conversation ON conversation_turns (conversation_id, id);

      CREATE TABLE flow_runs (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        flow_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'resolved', 'escalated', 'abandoned', 'timed_out')),
        state_json TEXT NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX flow_runs_one_active ON flow_runs (conversation_id) WHERE status = 'active';
      CREATE INDEX flow_runs_idle ON flow_runs (status, updated_at);
      CREATE INDEX flow_runs_flow ON flow_runs (flow_id, status);

      CREATE TABLE conversation_feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        topic_id TEXT,
        article_id TEXT NOT NULL,
        value TEXT NOT NULL CHECK (value IN ('yes', 'no')),
        question TEXT NOT NULL,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        at TEXT NOT NULL
      );
      CREATE INDEX conversation_feedback_article ON conversation_feedback (article_id, at);

      CREATE TABLE conversation_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        topic_id TEXT,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        article_id TEXT,
        flow_id TEXT,
        step_id TEXT,
        decision TEXT,
        confidence REAL,
        value TEXT,
        priority TEXT,
        text TEXT,
        data_json TEXT
      );
      CREATE INDEX conversation_events_type_at ON conversation_events (type, at);
      CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, id);
      CREATE INDEX conversation_events_topic ON conversation_events (topic_id);
      CREATE INDEX conversation_events_article ON conversation_events (article_id, type);
    `,
  },
  // --- DraftStore
  {
    name: 'drafts/001_init',
    up: `
      CREATE TABLE article_drafts (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'discarded')),
        source_kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        conversation_id TEXT,
        lang TEXT NOT NULL,
        front_matter_json TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        published_article_id TEXT,
        published_file TEXT,
        UNIQUE (provider, ticket_number)
      );
      CREATE INDEX article_drafts_status ON article_drafts (status, created_at);
    `,
  },
  // --- HandoffStore
  {
    name: 'handoffs/001_init',
    up: `
      CREATE TABLE handoffs (
        id TEXT PRIMARY KEY,
        user_channel TEXT NOT NULL,
        user_conversation_id TEXT NOT NULL,
        user_thread_id TEXT NOT NULL DEFAULT '',
        tech_channel TEXT NOT NULL,
        tech_conversation_id TEXT NOT NULL,
        tech_thread_id TEXT,
        tech_lang TEXT NOT NULL,
        packet_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'taken', 'closed', 'handed_back', 'cancelled')),
        technician_id TEXT,
        technician_name TEXT,
        ended_by TEXT,
        ticket_number TEXT,
        reminders_sent INTEGER NOT NULL DEFAULT 0,
        last_reminder_at TEXT,
        rating_nonce TEXT,
        rating INTEGER CHECK (rating BETWEEN 1 AND 5),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        taken_at TEXT,
        ended_at TEXT
      );
      CREATE INDEX handoffs_user ON handoffs (user_channel, user_conversation_id, user_thread_id, created_at);
      CREATE INDEX handoffs_thread ON handoffs (tech_channel, tech_conversation_id, tech_thread_id);
      CREATE INDEX handoffs_state ON handoffs (state, last_reminder_at);
    `,
  },
  // --- TicketNewsStore
  {
    name: 'ticket_news/001_init',
    up: `
      CREATE TABLE ticket_news_cursors (
        feed TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE ticket_news_states (
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        state TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (provider, ticket_number)
      );
    `,
  },
  // --- TicketNotes
  {
    name: 'ticket_notes/001_init',
    up: `
      CREATE TABLE ticket_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'reply')),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at TEXT NOT NULL,
        delivered INTEGER,
        error TEXT
      );
      CREATE INDEX ticket_notes_ticket ON ticket_notes (provider, ticket_number, id);
    `,
  },
  // --- ActionAuditLog
  {
    name: 'action_audit/001_init',
    up: `
      CREATE TABLE action_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        provider TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT,
        account TEXT,
        conversation_id TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'fail', 'refused')),
        detail TEXT
      );
      CREATE INDEX action_audit_user ON action_audit (channel, user_id, at);
      CREATE INDEX action_audit_at ON action_audit (at);
    `,
  },
  // --- AdminAuditLog
  {
    name: 'console/001_admin_audit',
    up: `
      CREATE TABLE admin_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        method TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT
      );
      CREATE INDEX admin_audit_at ON admin_audit (at);
    `,
  },
  // --- LocalTicketStore
  {
    name: 'tickets/001_init',
    up: `
      CREATE TABLE local_tickets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        number TEXT UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        priority TEXT NOT NULL,
        category TEXT,
        lang TEXT NOT NULL,
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        requester_id TEXT NOT NULL,
        requester_email TEXT,
        requester_name TEXT,
        assignee TEXT,
        resolution_notes TEXT,
        packet_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX local_tickets_requester ON local_tickets (requester_id, created_at);
      CREATE INDEX local_tickets_requester_email ON local_tickets (requester_email COLLATE NOCASE, created_at);
      CREATE INDEX local_tickets_state ON local_tickets (state, updated_at);
      CREATE TABLE local_ticket_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id INTEGER NOT NULL REFERENCES local_tickets (id),
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        assignee TEXT,
        actor TEXT,
        note TEXT
      );
      CREATE INDEX local_ticket_events_ticket ON local_ticket_events (ticket_id, id);
    `,
  },
  // --- OutboxStore
  {
    name: 'outbox/001_init',
    up: `
      CREATE TABLE ticket_outbox (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        packet_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        provider TEXT,
        ticket_id TEXT,
        ticket_number TEXT,
        ticket_url TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        delivered_at TEXT,
        notified_at TEXT
      );
      CREATE INDEX ticket_outbox_due ON ticket_outbox (status, next_attempt_at);
      CREATE INDEX ticket_outbox_conversation ON ticket_outbox (conversation_id, created_at);
      CREATE INDEX ticket_outbox_user ON ticket_outbox (user_id, created_at);
    `,
  },
  {
    // `attempts` is the budget a console retry resets; `total_attempts` never resets, so providers
    // keep checking for a ticket an attempt before the dead letter may have created.
    name: 'outbox/002_total_attempts',
    up: `ALTER TABLE ticket_outbox ADD COLUMN total_attempts INTEGER NOT NULL DEFAULT 0;
         UPDATE ticket_outbox SET total_attempts = attempts;`,
  },
  {
    // Ticket news (status webhooks, "status of …" privacy) find the escalation behind a ticket.
    name: 'outbox/003_ticket_lookup',
    up: `CREATE INDEX ticket_outbox_ticket_number ON ticket_outbox (ticket_number COLLATE NOCASE);
         CREATE INDEX ticket_outbox_ticket_id ON ticket_outbox (ticket_id);`,
  },
  LABELLED_EXAMPLES_MIGRATION,
  {
    // The comment typed with a thumb (Teams' feedback form); NULL for a plain Yes / No.
    name: 'conversations/002_feedback_comment',
    up: `ALTER TABLE conversation_feedback ADD COLUMN comment TEXT;`,
  },
  {
    // Teams' sent cards live a day in this table (channel 'teams.cards'): pruned by age per channel.
    name: 'channels/003_references_age',
    up: `CREATE INDEX conversation_references_age ON conversation_references (channel, updated_at);`,
  },
  {
    // What the bot said on its own in web chats, stored before the page is told (ProactiveLog).
    // AUTOINCREMENT: ids never reused after a prune, so a page's Last-Event-ID stays meaningful.
    name: 'web/001_proactive_messages',
    up: `
      CREATE TABLE web_proactive_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX web_proactive_messages_conversation ON web_proactive_messages (conversation_id, id);
      CREATE INDEX web_proactive_messages_created ON web_proactive_messages (created_at);
    `,
  },
  {
    // The channel's message id, so a send the outbox repeats stores nothing new. NULLs never conflict.
    name: 'web/002_proactive_message_id',
    up: `
      ALTER TABLE web_proactive_messages ADD COLUMN message_id TEXT;
      CREATE UNIQUE INDEX web_proactive_messages_message ON web_proactive_messages (conversation_id, message_id);
    `,
  },
  {
    // A claimed state is pending until told (told_at), so a replica that died in between is taken
    // over; the states recorded before were all told.
    name: 'ticket_news/002_told',
    up: `
      ALTER TABLE ticket_news_states ADD COLUMN told_at TEXT;
      ALTER TABLE ticket_news_states ADD COLUMN claimed_at TEXT;
      ALTER TABLE ticket_news_states ADD COLUMN previous_state TEXT;
      UPDATE ticket_news_states SET told_at = at, claimed_at = at;
    `,
  },
  {
    // The desk's refits, shared with the CLI and every process on this database (README "Learning from the desk").
    name: 'desk_calibrations/001_init',
    up: `CREATE TABLE desk_calibrations (
      knowledge_hash TEXT NOT NULL,
      provider TEXT NOT NULL,
      files TEXT NOT NULL,
      saved_at TEXT NOT NULL,
      PRIMARY KEY (knowledge_hash, provider)
    )`,
  },
];

/** The embedding cache lives in its own file (embeddings.sqlite): deleting it only costs re-embedding time. */
export const EMBEDDING_CACHE_MIGRATIONS: readonly Migration[] = [
  {
    name: 'embeddings/001_init',
    up: `CREATE TABLE embedding_cache (
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      hash TEXT NOT NULL,
      dimension INTEGER NOT NULL,
      vector BLOB NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (provider, model, hash)
    ) WITHOUT ROWID`,
  },
];

/** Brings helpdesk.db up to date; returns the names of the migrations that ran. */
export function migrateSqlite(db: Db): string[] {
  return migrate(db, SQLITE_MIGRATIONS);
}

/** Brings an embedding cache file up to date. */
export function migrateEmbeddingCache(db: Db): string[] {
  return migrate(db, EMBEDDING_CACHE_MIGRATIONS);
}
