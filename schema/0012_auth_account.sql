-- Account self-service: changing the email address through a link mailed to the new address,
-- and deleting the account. The sign-in time that deletion checks is auth_sessions.created_at:
-- a session is opened only by a sign-in (password or emailed code), never by a refresh.

-- The address a change_email link moves the account to; NULL for the other purposes.
ALTER TABLE auth_tokens
  ADD COLUMN new_email text CHECK (length(new_email) BETWEEN 3 AND 254),
  DROP CONSTRAINT auth_tokens_purpose_check,
  ADD CONSTRAINT auth_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
  ADD CONSTRAINT auth_tokens_new_email_purpose_check
    CHECK ((purpose = 'change_email') = (new_email IS NOT NULL));

ALTER TABLE auth_sessions
  DROP CONSTRAINT auth_sessions_end_reason_check,
  ADD CONSTRAINT auth_sessions_end_reason_check
    CHECK (end_reason IN ('logout', 'revoked', 'refresh_reuse', 'password_changed',
                          'password_reset', 'user_disabled', 'email_changed'));
