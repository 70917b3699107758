-- Outgoing email: every message a feature queued, and how far its delivery got.
-- The email.send job delivers a row; the row makes that delivery idempotent.
CREATE TABLE mail_messages (
  id          uuid        PRIMARY KEY DEFAULT uuidv7(),
  to_address  text        NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
  reply_to    text        CHECK (length(reply_to) BETWEEN 3 AND 254),
  subject     text        NOT NULL CHECK (length(subject) <= 998),
  text_body   text        NOT NULL,
  html_body   text,
  purpose     text        NOT NULL CHECK (length(purpose) BETWEEN 1 AND 100),
  status      text        NOT NULL DEFAULT 'queued'
                          CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts    integer     NOT NULL DEFAULT 0,
  sending_at  timestamptz,
  sent_at     timestamptz,
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

-- Ops look for mail that is not delivered yet, oldest first; sent mail is most of the table.
CREATE INDEX mail_messages_unsent_idx ON mail_messages (created_at) WHERE status <> 'sent';
