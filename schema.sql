-- The whole schema. Times are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (sortable, fixed width).
-- storage/migrate.py applies it to a new database and brings an older one to it in place (new
-- tables, rebuilt tables with every row kept, changed indexes), on every open.

CREATE TABLE agents (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    telegram_id     INTEGER NOT NULL UNIQUE,          -- also the agent's private chat id
    calendar_id     TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    working_hours   TEXT    NOT NULL DEFAULT 'mon-fri 09:00-17:00',
    slot_minutes    INTEGER NOT NULL DEFAULT 30,
    buffer_minutes  INTEGER NOT NULL DEFAULT 0,
    notice_minutes  INTEGER NOT NULL DEFAULT 120,
    horizon_days    INTEGER NOT NULL DEFAULT 14,
    max_per_day     INTEGER,
    active          INTEGER NOT NULL DEFAULT 1,
    console_only    INTEGER NOT NULL DEFAULT 0,       -- the console's demo agent
    language        TEXT    NOT NULL DEFAULT 'en',    -- the language of the agent's notices
    removed_at      TEXT,                             -- `agents remove`: kept for its history
    away_from       TEXT,                             -- /away: first day off, YYYY-MM-DD
    away_until      TEXT,                             -- /away: last day off (inclusive)
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE leads (
    id              INTEGER PRIMARY KEY,
    telegram_id     INTEGER NOT NULL UNIQUE,
    chat_id         INTEGER NOT NULL,
    name            TEXT,
    phone_number    TEXT,                              -- E.164
    email           TEXT,
    timezone        TEXT,
    status          TEXT    NOT NULL DEFAULT 'new',
    agent_id        INTEGER REFERENCES agents(id),
    notes           TEXT,
    awaiting        TEXT,                              -- what the bot last asked for
    language        TEXT,                              -- Telegram's language_code
    timezone_assumed INTEGER NOT NULL DEFAULT 0,        -- 1: the agent's zone, not the lead's
    taken_over_by   INTEGER REFERENCES agents(id),     -- an agent talks to the lead: bot muted
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE messages (
    id                   INTEGER PRIMARY KEY,
    lead_id              INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    role                 TEXT    NOT NULL CHECK (role IN ('user', 'assistant', 'agent')),
    content              TEXT    NOT NULL,
    created_at           TEXT    NOT NULL,             -- strictly increasing per process
    telegram_message_id  INTEGER
);

CREATE TABLE appointments (
    id                 INTEGER PRIMARY KEY,
    lead_id            INTEGER NOT NULL REFERENCES leads(id),
    agent_id           INTEGER NOT NULL REFERENCES agents(id),
    start_at           TEXT    NOT NULL,
    end_at             TEXT    NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'booked', 'cancelled', 'failed', 'no_show',
                                         'held')),
    topic              TEXT,
    meeting_id         TEXT,
    join_url           TEXT,
    calendar_event_id  TEXT,
    failure_reason     TEXT,
    reminded_24h_at    TEXT,
    reminded_1h_at     TEXT,
    created_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at         TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    reminded_10m_at    TEXT,                           -- booked less than an hour ahead
    replaces           INTEGER REFERENCES appointments(id),  -- the meeting a move cancels
    invite_uid         TEXT,                           -- the .ics UID; NULL: from the event id
    invite_sequence    INTEGER NOT NULL DEFAULT 0      -- the .ics SEQUENCE, +1 per move
);

CREATE TABLE slot_offers (
    id             INTEGER PRIMARY KEY,
    token          TEXT    NOT NULL UNIQUE,            -- the only thing a button carries
    lead_id        INTEGER NOT NULL REFERENCES leads(id),
    agent_id       INTEGER NOT NULL REFERENCES agents(id),
    start_at       TEXT    NOT NULL,
    end_at         TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    used_at        TEXT,
    reschedule_of  INTEGER REFERENCES appointments(id),
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Every status a lead has had, oldest first: the pipeline's history (``/lead`` shows it).
CREATE TABLE lead_status_history (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    status      TEXT    NOT NULL,
    changed_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Update ids already handled, stamped by the bot's clock; those older than 7 days are pruned.
CREATE TABLE processed_updates (
    update_id     INTEGER PRIMARY KEY,
    seen_at       TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- The seed's indexes, by name.
CREATE INDEX idx_appointments_lead_agent_status ON appointments(lead_id, agent_id, status);
CREATE INDEX idx_leads_phone_status ON leads(phone_number, status);
CREATE INDEX idx_messages_lead_created ON messages(lead_id, created_at DESC);

-- No two active appointments of one agent at one start time, whatever the code above does.
CREATE UNIQUE INDEX idx_appointments_agent_start_active
    ON appointments(agent_id, start_at) WHERE status IN ('pending', 'booked');
-- Overlap checks and an agent's busy time: active appointments of an agent by time.
CREATE INDEX idx_appointments_agent_status_start ON appointments(agent_id, status, start_at);
-- Reminders and start-up reconciliation: appointments by status and time.
CREATE INDEX idx_appointments_status_start ON appointments(status, start_at);
-- Appointments owed a clean-up (a failed undo), swept every few minutes.
CREATE INDEX idx_appointments_failure ON appointments(failure_reason)
    WHERE failure_reason IS NOT NULL;
-- A lead's open offers.
CREATE INDEX idx_slot_offers_lead_created ON slot_offers(lead_id, created_at);
-- A lead's status history in order.
CREATE INDEX idx_lead_status_history_lead ON lead_status_history(lead_id, id);
-- Pruning the update ids seen more than a week ago.
CREATE INDEX idx_processed_updates_seen ON processed_updates(seen_at);
-- An agent's leads (/leads), most recent first.
CREATE INDEX idx_leads_agent_updated ON leads(agent_id, updated_at);
-- The leads an agent has taken over (the bot is muted for them).
CREATE INDEX idx_leads_taken_over ON leads(taken_over_by) WHERE taken_over_by IS NOT NULL;
