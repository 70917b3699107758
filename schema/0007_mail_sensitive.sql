-- Mail whose body holds a one-time secret (a sign-in code, a link's token) is blanked once it
-- is sent, so that the table never keeps a secret that still works.
ALTER TABLE mail_messages ADD COLUMN sensitive boolean NOT NULL DEFAULT false;
