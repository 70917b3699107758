-- Curated rule templates: ready-made automation rules a product offers its users to start from.
CREATE TABLE rule_templates (
  id          uuid        PRIMARY KEY DEFAULT uuidv7(),
  slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  category    text        NOT NULL CHECK (length(category) BETWEEN 1 AND 64),
  description text        NOT NULL DEFAULT '',
  document    jsonb       NOT NULL,
  sort_order  integer     NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The list is read in (sort_order, slug) order, optionally within one category (keyset pagination).
CREATE INDEX rule_templates_order_idx ON rule_templates (sort_order, slug);
CREATE INDEX rule_templates_category_order_idx ON rule_templates (category, sort_order, slug);

-- A rule document: when `trigger` fires and every condition holds, run the actions in order.
INSERT INTO rule_templates (slug, title, category, description, document, sort_order) VALUES
('welcome-new-user', 'Welcome a new user', 'onboarding',
 'Send a welcome email right after sign-up and a getting-started tip a day later.',
 '{"trigger": {"event": "user.registered"},
   "conditions": [],
   "actions": [
     {"type": "email.send", "template": "welcome"},
     {"type": "email.send", "template": "getting-started", "delay": "24h"}]}', 10),
('verify-email-reminder', 'Remind to verify the email address', 'onboarding',
 'Remind users who have not verified their email address three days after sign-up.',
 '{"trigger": {"event": "user.registered"},
   "conditions": [{"field": "user.email_verified", "op": "eq", "value": false, "after": "72h"}],
   "actions": [{"type": "email.send", "template": "verify-email-reminder"}]}', 20),
('trial-ending-soon', 'Warn before the trial ends', 'billing',
 'Tell trial users three days before their trial ends, with a link to pick a plan.',
 '{"trigger": {"schedule": "daily"},
   "conditions": [{"field": "subscription.status", "op": "eq", "value": "trialing"},
                  {"field": "subscription.trial_ends_in", "op": "lte", "value": "72h"}],
   "actions": [{"type": "email.send", "template": "trial-ending"}]}', 30),
('payment-failed-dunning', 'Recover a failed payment', 'billing',
 'After a failed charge, email the customer and retry the payment on days 3 and 7.',
 '{"trigger": {"event": "payment.failed"},
   "conditions": [],
   "actions": [
     {"type": "email.send", "template": "payment-failed"},
     {"type": "payment.retry", "delay": "72h"},
     {"type": "payment.retry", "delay": "168h"}]}', 40),
('inactive-user-nudge', 'Nudge inactive users', 'engagement',
 'Invite users back when they have not signed in for 30 days, at most once a month.',
 '{"trigger": {"schedule": "daily"},
   "conditions": [{"field": "user.last_seen_ago", "op": "gte", "value": "720h"}],
   "actions": [{"type": "email.send", "template": "we-miss-you", "at_most": "1/720h"}]}', 50),
('weekly-digest', 'Send a weekly digest', 'engagement',
 'Every Monday morning, summarise the past week''s activity for each active user.',
 '{"trigger": {"schedule": "weekly", "day": "monday", "time": "08:00"},
   "conditions": [{"field": "user.active_last_week", "op": "eq", "value": true}],
   "actions": [{"type": "email.send", "template": "weekly-digest"}]}', 60),
('large-order-review', 'Review unusually large orders', 'operations',
 'Hold orders above a threshold for manual review and alert the operations team.',
 '{"trigger": {"event": "order.created"},
   "conditions": [{"field": "order.total_cents", "op": "gte", "value": 100000}],
   "actions": [
     {"type": "order.hold", "reason": "manual_review"},
     {"type": "notify.team", "channel": "operations"}]}', 70),
('failed-login-alert', 'Alert on repeated failed sign-ins', 'security',
 'Email the account owner when there were five failed sign-ins within an hour.',
 '{"trigger": {"event": "auth.login_failed"},
   "conditions": [{"field": "auth.failed_logins_1h", "op": "gte", "value": 5}],
   "actions": [{"type": "email.send", "template": "suspicious-sign-in"}]}', 80);
