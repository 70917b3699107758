-- Files clients upload straight to the bucket: who owns each object, what it was declared to
-- be, and the variants keel-worker made of it. The bytes never pass through keel.

CREATE TABLE uploads (
  id           uuid        PRIMARY KEY DEFAULT uuidv7(),
  -- NULL once the owner's account is deleted (its uploads are deleted with it by a job).
  owner_id     uuid        REFERENCES users (id) ON DELETE SET NULL,
  purpose      text        NOT NULL CHECK (purpose IN ('community_avatar', 'method_attachment')),
  content_type text        NOT NULL CHECK (length(content_type) <= 100),
  byte_length  bigint      NOT NULL CHECK (byte_length > 0),
  file_name    text        NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  -- Made by keel (uploads/<id>/<sanitised name>), never taken from the client.
  object_key   text        NOT NULL UNIQUE,
  -- pending: URL handed out; ready: checked; rejected: content did not match; deleted: gone or
  -- going (storage.delete removes the objects).
  status       text        NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'ready', 'rejected', 'deleted')),
  -- Why no variants could be made (a corrupt or oversized image), for the owner and ops.
  variants_error text      CHECK (length(variants_error) <= 1000),
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  deleted_at   timestamptz
);

-- "My uploads", newest first, and the daily quota's count over the last day.
CREATE INDEX uploads_owner_idx ON uploads (owner_id, id DESC);
-- uploads.purge finds stale pending uploads without a scan.
CREATE INDEX uploads_pending_idx ON uploads (created_at) WHERE status = 'pending';

CREATE TABLE upload_variants (
  upload_id   uuid        NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
  size        integer     NOT NULL CHECK (size > 0),  -- the box the variant fits in, px
  object_key  text        NOT NULL UNIQUE,
  width       integer     NOT NULL,
  height      integer     NOT NULL,
  byte_length bigint      NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (upload_id, size)
);
