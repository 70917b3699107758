-- Realtime: the durable events live updates are made of, and the single-use tickets browsers
-- open a WebSocket or an EventSource with (they cannot send Authorization there).

-- An event is written in the transaction of the change it tells about, so it exists if and
-- only if the change committed. Ids only grow; within one channel they also commit in order
-- (realtime::publish takes a per-channel transaction lock before taking its id), which makes
-- "everything after id N on this channel" a gap-free question.
CREATE TABLE events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel    text        NOT NULL CHECK (length(channel) BETWEEN 1 AND 200),
  type       text        NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
  data       jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Replays and each instance's catch-up read one channel after an id.
CREATE INDEX events_channel_idx ON events (channel, id);
-- realtime.prune drops events older than the replay window.
CREATE INDEX events_created_idx ON events (created_at);

-- A ticket is 32 random bytes shown once; only its SHA-256 is stored. It names the session
-- that asked for it, so a ticket of a session that has ended opens nothing.
CREATE TABLE realtime_tickets (
  token_hash text        PRIMARY KEY,
  user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_id uuid        NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);

CREATE INDEX realtime_tickets_expires_idx ON realtime_tickets (expires_at);
