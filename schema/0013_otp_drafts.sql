-- A create flow started signed out: its draft waits with the emailed code and becomes the
-- account's draft when that code is verified (a new code replaces it).
ALTER TABLE auth_otps ADD COLUMN draft jsonb;
