-- Accounts, sessions with rotating refresh tokens, one-time codes and links, and the audit log.
-- No secret is stored in clear: passwords as Argon2id, tokens as SHA-256, codes as a keyed hash.

CREATE TABLE users (
  id                  uuid        PRIMARY KEY DEFAULT uuidv7(),
  -- Lower-cased by the service, so the unique index is the whole duplicate check.
  email               text        NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
  name                text        CHECK (length(name) <= 200),
  -- NULL for an account that only ever signed in with an emailed code.
  password_hash       text,
  email_verified_at   timestamptz,
  role                text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  disabled_at         timestamptz,
  -- Lockout: failures counted from the first failure of the current window.
  failed_logins       integer     NOT NULL DEFAULT 0,
  failed_logins_since timestamptz,
  locked_until        timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A session is one sign-in on one device: the family of its refresh tokens.
CREATE TABLE auth_sessions (
  id              uuid        PRIMARY KEY DEFAULT uuidv7(),
  user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_agent      text        CHECK (length(user_agent) <= 512),
  ip              text        CHECK (length(ip) <= 64),
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_used_at    timestamptz NOT NULL DEFAULT now(),
  idle_expires_at timestamptz NOT NULL,  -- last use + SESSION_IDLE_TTL
  expires_at      timestamptz NOT NULL,  -- creation + SESSION_MAX_TTL, never extended
  ended_at        timestamptz,
  end_reason      text        CHECK (end_reason IN ('logout', 'revoked', 'refresh_reuse',
                                                    'password_changed', 'password_reset',
                                                    'user_disabled'))
);

CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE ended_at IS NULL;
-- auth.purge finds ended and expired sessions without a scan.
CREATE INDEX auth_sessions_ended_idx ON auth_sessions (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX auth_sessions_expires_idx ON auth_sessions (expires_at);

-- Every refresh token a session was given. Spent ones stay until the session is purged, so
-- that presenting one again is recognised as reuse and ends the family.
CREATE TABLE auth_refresh_tokens (
  token_hash text        PRIMARY KEY,  -- SHA-256 of the token, hex
  session_id uuid        NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
  issued_at  timestamptz NOT NULL DEFAULT now(),
  spent_at   timestamptz
);

CREATE INDEX auth_refresh_tokens_session_idx ON auth_refresh_tokens (session_id);

-- Single-use links sent by email: verify an address, reset a password.
CREATE TABLE auth_tokens (
  token_hash text        PRIMARY KEY,  -- SHA-256 of the token, hex
  user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    text        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, purpose);
CREATE INDEX auth_tokens_expires_idx ON auth_tokens (expires_at);

-- One live sign-in code per address: a new request replaces the old code.
CREATE TABLE auth_otps (
  email      text        PRIMARY KEY,
  code_hash  text        NOT NULL,  -- HMAC-SHA-256 under a server key, hex
  attempts   integer     NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_otps_expires_idx ON auth_otps (expires_at);

-- Who did what, when, from where. No foreign keys: the history outlives the accounts.
CREATE TABLE audit_log (
  id         uuid        PRIMARY KEY DEFAULT uuidv7(),
  action     text        NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
  actor_id   uuid,       -- who acted; NULL for an anonymous client
  user_id    uuid,       -- whom it concerns
  ip         text,
  user_agent text,
  request_id text,
  details    jsonb       NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The admin API lists newest first, optionally of one user or one action.
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
