-- The product's write side: one draft per user, published rules and their invited stakeholders.

-- The create flow's state. `version` grows on every save: it is the draft's ETag, so two tabs
-- saving from the same version cannot overwrite each other silently.
CREATE TABLE rule_drafts (
  user_id    uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  payload    jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  version    bigint      NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A published rule. Its owner may go (account deletion) and the rule stays public.
CREATE TABLE rules (
  id         uuid        PRIMARY KEY DEFAULT uuidv7(),
  owner_id   uuid        REFERENCES users (id) ON DELETE SET NULL,
  title      text        NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  summary    text        CHECK (length(summary) <= 8000),
  document   jsonb       NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  version    bigint      NOT NULL DEFAULT 1,
  -- Title weighs most, then the summary, then every string in the document.
  search     tsvector    GENERATED ALWAYS AS (
               setweight(to_tsvector('english', title), 'A') ||
               setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
               setweight(jsonb_to_tsvector('english', document, '["string"]'), 'C')) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX rules_updated ON rules (updated_at DESC, id DESC);
CREATE INDEX rules_owner ON rules (owner_id);
CREATE INDEX rules_search ON rules USING gin (search);

-- An invitation by email to see a rule. The token is stored as its SHA-256 only; it is cleared
-- once accepted (single use). pending / expired is read from expires_at, never stored.
CREATE TABLE rule_stakeholders (
  id           uuid        PRIMARY KEY DEFAULT uuidv7(),
  rule_id      uuid        NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
  email        text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  token_hash   text        UNIQUE,
  expires_at   timestamptz NOT NULL,
  invited_at   timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz NOT NULL DEFAULT now(),
  accepted_at  timestamptz,
  user_id      uuid        REFERENCES users (id) ON DELETE CASCADE,
  UNIQUE (rule_id, email),
  CHECK ((accepted_at IS NULL) = (user_id IS NULL))
);

CREATE INDEX rule_stakeholders_user ON rule_stakeholders (user_id) WHERE user_id IS NOT NULL;
