import type { PgMigration } from './migrate.js';

/**
 * The PostgreSQL schema, one ordered list for every store. Times stay ISO-8601 text, as in SQLite,
 * so both backends compare and sort them the same way; `COLLATE "C"` keeps that byte order whatever
 * the database's default collation. JSON stays text: the engine validates it when loading.
 */
const TS = 'TEXT COLLATE "C"';

export const pgMigrations: readonly PgMigration[] = [
  {
    name: '0001_conversations',
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
        started_at ${TS} NOT NULL,
        last_activity_at ${TS} NOT NULL,
        state_json TEXT NOT NULL DEFAULT '{}',
        UNIQUE (channel, channel_conversation_id, thread_id)
      );
      CREATE INDEX conversations_user ON conversations (user_id, last_activity_at);
      CREATE INDEX conversations_activity ON conversations (last_activity_at);

      CREATE TABLE conversation_turns (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        message_id TEXT,
        text TEXT NOT NULL,
        action_json TEXT,
        parts_json TEXT,
        lang TEXT,
        at ${TS} NOT NULL,
        handled_at ${TS},
        replies_json TEXT
      );
      -- Redelivered messages: a channel message id is handled once per conversation, across replicas.
      CREATE UNIQUE INDEX conversation_turns_dedup ON conversation_turns (conversation_id, message_id) WHERE message_id IS NOT NULL;
      CREATE INDEX conversation_turns_conversation ON conversation_turns (conversation_id, id);

      CREATE TABLE flow_runs (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        flow_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'resolved', 'escalated', 'abandoned', 'timed_out')),
        state_json TEXT NOT NULL,
        started_at ${TS} NOT NULL,
        updated_at ${TS} NOT NULL
      );
      CREATE UNIQUE INDEX flow_runs_one_active ON flow_runs (conversation_id) WHERE status = 'active';
      CREATE INDEX flow_runs_idle ON flow_runs (status, updated_at);
      CREATE INDEX flow_runs_flow ON flow_runs (flow_id, status);

      CREATE TABLE conversation_feedback (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        topic_id TEXT,
        article_id TEXT NOT NULL,
        value TEXT NOT NULL CHECK (value IN ('yes', 'no')),
        question TEXT NOT NULL,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        at ${TS} NOT NULL
      );
      CREATE INDEX conversation_feedback_article ON conversation_feedback (article_id, at);

      CREATE TABLE conversation_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type TEXT NOT NULL,
        at ${TS} NOT NULL,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        topic_id TEXT,
        channel TEXT NOT NULL,
        lang TEXT NOT NULL,
        article_id TEXT,
        flow_id TEXT,
        step_id TEXT,
        decision TEXT,
        confidence DOUBLE PRECISION,
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
  {
    name: '0002_handoffs',
    up: `
      CREATE TABLE handoffs (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
        last_reminder_at ${TS},
        rating_nonce TEXT,
        rating INTEGER CHECK (rating BETWEEN 1 AND 5),
        created_at ${TS} NOT NULL,
        updated_at ${TS} NOT NULL,
        taken_at ${TS},
        ended_at ${TS}
      );
      CREATE INDEX handoffs_user ON handoffs (user_channel, user_conversation_id, user_thread_id, created_at);
      CREATE INDEX handoffs_thread ON handoffs (tech_channel, tech_conversation_id, tech_thread_id);
      CREATE INDEX handoffs_state ON handoffs (state, last_reminder_at);
    `,
  },
  {
    name: '0003_article_drafts',
    up: `
      CREATE TABLE article_drafts (
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'discarded')),
        source_kind TEXT NOT NULL,
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        conversation_id TEXT,
        lang TEXT NOT NULL,
        front_matter_json TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at ${TS} NOT NULL,
        updated_at ${TS} NOT NULL,
        published_article_id TEXT,
        published_file TEXT,
        UNIQUE (provider, ticket_number)
      );
      CREATE INDEX article_drafts_status ON article_drafts (status, created_at);
    `,
  },
  {
    name: '0004_ticket_news',
    up: `
      CREATE TABLE ticket_news_cursors (
        feed TEXT PRIMARY KEY,
        position BIGINT NOT NULL,
        updated_at ${TS} NOT NULL
      );
      CREATE TABLE ticket_news_states (
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        state TEXT NOT NULL,
        at ${TS} NOT NULL,
        PRIMARY KEY (provider, ticket_number)
      );
    `,
  },
  {
    name: '0005_action_audit',
    up: `
      CREATE TABLE action_audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at ${TS} NOT NULL,
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
  {
    name: '0006_ticket_outbox',
    up: `
      CREATE TABLE ticket_outbox (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        packet_json TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        total_attempts INTEGER NOT NULL DEFAULT 0,
        -- Epoch milliseconds, as the port speaks them.
        next_attempt_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error TEXT,
        provider TEXT,
        ticket_id TEXT,
        ticket_number TEXT,
        ticket_url TEXT,
        created_at ${TS} NOT NULL,
        updated_at ${TS} NOT NULL,
        delivered_at ${TS},
        notified_at ${TS}
      );
      CREATE INDEX ticket_outbox_due ON ticket_outbox (status, next_attempt_at);
      CREATE INDEX ticket_outbox_conversation ON ticket_outbox (conversation_id, created_at);
      CREATE INDEX ticket_outbox_user ON ticket_outbox (user_id, created_at);
      CREATE INDEX ticket_outbox_ticket_number ON ticket_outbox (lower(ticket_number));
      CREATE INDEX ticket_outbox_ticket_id ON ticket_outbox (ticket_id);
    `,
  },
  {
    name: '0007_local_tickets',
    up: `
      CREATE TABLE local_tickets (
        -- The identity sequence numbers tickets: unique across replicas without coordination.
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
        created_at ${TS} NOT NULL,
        updated_at ${TS} NOT NULL
      );
      CREATE INDEX local_tickets_requester ON local_tickets (requester_id, created_at);
      CREATE INDEX local_tickets_requester_email ON local_tickets (lower(requester_email), created_at);
      CREATE INDEX local_tickets_state ON local_tickets (state, updated_at);
      CREATE TABLE local_ticket_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        ticket_id BIGINT NOT NULL REFERENCES local_tickets (id),
        kind TEXT NOT NULL,
        at ${TS} NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        assignee TEXT,
        actor TEXT,
        note TEXT
      );
      CREATE INDEX local_ticket_events_ticket ON local_ticket_events (ticket_id, id);
    `,
  },
  {
    name: '0008_ticket_notes',
    up: `
      CREATE TABLE ticket_notes (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        provider TEXT NOT NULL,
        ticket_number TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'reply')),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at ${TS} NOT NULL,
        delivered BOOLEAN,
        error TEXT
      );
      CREATE INDEX ticket_notes_ticket ON ticket_notes (provider, ticket_number, id);
    `,
  },
  {
    name: '0009_admin_audit',
    up: `
      CREATE TABLE admin_audit (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at ${TS} NOT NULL,
        event TEXT NOT NULL,
        method TEXT NOT NULL,
        address TEXT NOT NULL,
        user_agent TEXT
      );
      CREATE INDEX admin_audit_at ON admin_audit (at);
    `,
  },
  {
    name: '0010_channel_deliveries',
    up: `
      CREATE TABLE channel_deliveries (
        channel TEXT NOT NULL,
        key TEXT NOT NULL,
        -- Epoch milliseconds.
        seen_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (channel, key)
      );
      CREATE INDEX channel_deliveries_expiry ON channel_deliveries (expires_at);
    `,
  },
  {
    name: '0011_conversation_references',
    up: `
      CREATE TABLE conversation_references (
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        reference_json TEXT NOT NULL,
        updated_at ${TS} NOT NULL,
        PRIMARY KEY (channel, conversation_id)
      );
    `,
  },
  {
    name: '0012_embedding_cache',
    up: `
      CREATE TABLE embedding_cache (
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        hash TEXT NOT NULL,
        dimension INTEGER NOT NULL,
        -- float32 little-endian bytes, as the SQLite cache stores them.
        vector BYTEA NOT NULL,
        created_at ${TS} NOT NULL,
        PRIMARY KEY (provider, model, hash)
      );
    `,
  },
  {
    name: '0013_labelled_examples',
    up: `
      CREATE TABLE labelled_examples (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        question TEXT NOT NULL,
        lang TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('article', 'escalate', 'not_article')),
        article_id TEXT,
        source TEXT NOT NULL,
        by_whom TEXT NOT NULL,
        at ${TS} NOT NULL,
        conversation_id TEXT,
        turn_id INTEGER,
        ref TEXT
      );
      CREATE INDEX labelled_examples_conversation ON labelled_examples (conversation_id);
      CREATE INDEX labelled_examples_source ON labelled_examples (source, at);
    `,
  },
  {
    // The comment typed with a thumb (Teams' feedback form); NULL for a plain Yes / No.
    name: '0014_feedback_comment',
    up: `ALTER TABLE conversation_feedback ADD COLUMN comment TEXT;`,
  },
  {
    // Coordination between replicas (rate buckets, job ticks, big bus messages). These tables were
    // created at start by coordination code before they joined this list; IF NOT EXISTS lets a
    // database that already has them record the migration without touching them.
    name: '0015_coordination',
    up: `
      CREATE TABLE IF NOT EXISTS coordination_rate (
        key text PRIMARY KEY,
        tat double precision NOT NULL
      );
      CREATE TABLE IF NOT EXISTS coordination_jobs (
        job text PRIMARY KEY,
        tick bigint NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS coordination_bus (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        payload text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS coordination_bus_at ON coordination_bus (at);
    `,
  },
  {
    // Teams' sent cards live a day in this table (channel 'teams.cards'): pruned by age per channel.
    name: '0016_conversation_references_age',
    up: `CREATE INDEX conversation_references_age ON conversation_references (channel, updated_at);`,
  },
  {
    // What the bot said on its own in web chats, stored before the replicas are woken (ProactiveLog).
    name: '0017_web_proactive_messages',
    up: `
      CREATE TABLE web_proactive_messages (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at ${TS} NOT NULL
      );
      CREATE INDEX web_proactive_messages_conversation ON web_proactive_messages (conversation_id, id);
      CREATE INDEX web_proactive_messages_created ON web_proactive_messages (created_at);
    `,
  },
  {
    // The channel's message id, so a send the outbox repeats (its first try stored the message but
    // was not recorded as delivered) stores nothing new. NULLs never conflict.
    name: '0018_web_proactive_message_id',
    up: `
      ALTER TABLE web_proactive_messages ADD COLUMN message_id TEXT;
      CREATE UNIQUE INDEX web_proactive_messages_message ON web_proactive_messages (conversation_id, message_id);
    `,
  },
  {
    // A claimed state is pending until told (told_at), so a replica that died in between is taken
    // over; the states recorded before were all told.
    name: '0019_ticket_news_told',
    up: `
      ALTER TABLE ticket_news_states ADD COLUMN told_at ${TS};
      ALTER TABLE ticket_news_states ADD COLUMN claimed_at ${TS};
      ALTER TABLE ticket_news_states ADD COLUMN previous_state TEXT;
      UPDATE ticket_news_states SET told_at = at, claimed_at = at;
    `,
  },
  {
    // The desk's refits, so every replica serves the models a technician fitted (README "Learning from the desk").
    name: '0020_desk_calibrations',
    up: `
      CREATE TABLE desk_calibrations (
        knowledge_hash TEXT NOT NULL,
        provider TEXT NOT NULL,
        files TEXT NOT NULL,
        saved_at ${TS} NOT NULL,
        PRIMARY KEY (knowledge_hash, provider)
      );
    `,
  },
];
