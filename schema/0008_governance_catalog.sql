-- The Community Rule catalog: governance methods ranked by community facets, and the curated
-- templates composed from them. Replaces the automation-rule templates of 0002.
DROP TABLE rule_templates;

-- The facet values a community describes itself with; methods match some of them.
CREATE TABLE catalog_facets (
  facet_group text    NOT NULL CHECK (facet_group IN ('size', 'org_type', 'scale', 'maturity')),
  facet_value text    NOT NULL CHECK (facet_value ~ '^[a-z]+(_[a-z]+)*$'),
  sort_order  integer NOT NULL,
  PRIMARY KEY (facet_group, facet_value)
);

INSERT INTO catalog_facets (facet_group, facet_value, sort_order) VALUES
  ('size', 'one_member', 1), ('size', 'two_to_five', 2), ('size', 'six_to_twelve', 3),
  ('size', 'thirteen_to_one_hundred', 4), ('size', 'over_one_hundred', 5),
  ('org_type', 'dao', 1), ('org_type', 'for_profit', 2), ('org_type', 'nonprofit', 3),
  ('org_type', 'open_source', 4), ('org_type', 'mutual_aid', 5), ('org_type', 'workers_coop', 6),
  ('scale', 'global', 1), ('scale', 'national', 2), ('scale', 'regional', 3), ('scale', 'local', 4),
  ('maturity', 'early_stage', 1), ('maturity', 'growth_stage', 2), ('maturity', 'established', 3),
  ('maturity', 'enterprise', 4);

-- One practice a community can adopt for one section of its rule (or one core value).
-- sort_order is the curated order within the section: ties in a ranking keep it.
CREATE TABLE catalog_methods (
  id          uuid        PRIMARY KEY DEFAULT uuidv7(),
  section     text        NOT NULL CHECK (section IN ('core_values', 'communication', 'membership',
                                                      'decision_making', 'conflict_management')),
  slug        text        NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  label       text        NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  description text        NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  sort_order  integer     NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (section, slug),
  UNIQUE (section, sort_order)
);

CREATE TABLE catalog_method_facets (
  method_id   uuid NOT NULL REFERENCES catalog_methods (id) ON DELETE CASCADE,
  facet_group text NOT NULL,
  facet_value text NOT NULL,
  PRIMARY KEY (method_id, facet_group, facet_value),
  FOREIGN KEY (facet_group, facet_value) REFERENCES catalog_facets (facet_group, facet_value)
);

-- A ready-made governance pattern. `body` is a sections document built from its methods below.
CREATE TABLE governance_templates (
  id          uuid        PRIMARY KEY DEFAULT uuidv7(),
  slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  category    text        NOT NULL CHECK (category ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  description text        NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  featured    boolean     NOT NULL DEFAULT false,
  sort_order  integer     NOT NULL DEFAULT 0,
  body        jsonb       NOT NULL DEFAULT '{"sections": []}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The curated list order: featured first, then sort_order, then title.
CREATE INDEX governance_templates_order_idx
  ON governance_templates ((NOT featured), sort_order, title, slug);

-- Which methods a template is made of, in the order its body lists them within a section.
CREATE TABLE governance_template_methods (
  template_id uuid    NOT NULL REFERENCES governance_templates (id) ON DELETE CASCADE,
  method_id   uuid    NOT NULL REFERENCES catalog_methods (id),
  position    integer NOT NULL,
  PRIMARY KEY (template_id, method_id)
);
CREATE INDEX governance_template_methods_method_idx ON governance_template_methods (method_id);

-- A template's facets are derived from its methods, never written by hand: `weight` is how
-- many of its methods match the value, which is what a template's score adds up.
CREATE VIEW governance_template_facets AS
  SELECT tm.template_id, f.facet_group, f.facet_value, count(*)::integer AS weight
    FROM governance_template_methods tm
    JOIN catalog_method_facets f ON f.method_id = tm.method_id
   GROUP BY tm.template_id, f.facet_group, f.facet_value;

-- Seed data. Each row lists the facet values the method suits, per group.
CREATE TEMPORARY TABLE seed_methods (
  section     text,
  sort_order  integer,
  slug        text,
  label       text,
  description text,
  sizes       text[],
  org_types   text[],
  scales      text[],
  maturities  text[]
) ON COMMIT DROP;

INSERT INTO seed_methods VALUES
-- Core values
('core_values', 1, 'transparency', 'Transparency',
 'Decisions, money and reasoning are written down where every member can read them.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,nonprofit,open_source}', '{global,national}', '{growth_stage,established,enterprise}'),
('core_values', 2, 'accountability', 'Accountability',
 'People who take on a role answer to the group for how they carried it out.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit,workers_coop}', '{national,regional}', '{established,enterprise}'),
('core_values', 3, 'inclusion', 'Inclusion',
 'The group works to make room for people who are usually left out of the conversation.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,mutual_aid,open_source}', '{local,regional,national}', '{growth_stage,established}'),
('core_values', 4, 'equity', 'Equity',
 'Power, work and rewards are shared fairly, taking into account where each member starts from.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{workers_coop,mutual_aid,nonprofit}', '{local,regional}', '{growth_stage,established}'),
('core_values', 5, 'solidarity', 'Solidarity',
 'Members stand with each other, and with people beyond the group who face the same struggle.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{mutual_aid,workers_coop}', '{local,regional}', '{early_stage,growth_stage}'),
('core_values', 6, 'autonomy', 'Autonomy',
 'Individuals and small groups are trusted to act on their own judgement in their own area.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{open_source,workers_coop,dao}', '{global,local}', '{early_stage,growth_stage}'),
('core_values', 7, 'sustainability', 'Sustainability',
 'The group paces itself so that people, money and the environment are not used up.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{nonprofit,workers_coop,for_profit}', '{local,regional}', '{established,enterprise}'),
('core_values', 8, 'care', 'Care',
 'Attention to how members are actually doing comes before getting the task done.',
 '{two_to_five,six_to_twelve}', '{mutual_aid,nonprofit}', '{local}', '{early_stage,growth_stage}'),
('core_values', 9, 'trust', 'Trust',
 'Members assume good intent and give each other room to act without asking permission first.',
 '{two_to_five,six_to_twelve}', '{workers_coop,open_source,for_profit}', '{local,regional}', '{early_stage,growth_stage}'),
('core_values', 10, 'open-knowledge', 'Open knowledge',
 'What the group learns and makes is shared freely so that others can use and improve it.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{open_source,dao}', '{global}', '{early_stage,growth_stage,established}'),
('core_values', 11, 'consent', 'Consent',
 'Nobody is bound by a decision they had no chance to object to.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{workers_coop,mutual_aid,nonprofit}', '{local,regional}', '{growth_stage,established}'),
('core_values', 12, 'participation', 'Participation',
 'Everyone affected by a decision has a real, practical way to take part in it.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,dao,mutual_aid}', '{regional,national,global}', '{growth_stage,established}'),
('core_values', 13, 'respect', 'Respect',
 'Disagreement is about ideas; people are treated with dignity whatever they think.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{for_profit,nonprofit,open_source}', '{local,regional,national,global}', '{established}'),
('core_values', 14, 'courage', 'Courage',
 'Members say the uncomfortable thing and try the untested idea instead of waiting for certainty.',
 '{one_member,two_to_five,six_to_twelve}', '{open_source,dao,for_profit}', '{global}', '{early_stage}'),
('core_values', 15, 'curiosity', 'Curiosity',
 'The group asks why before it decides, and treats mistakes as something to learn from.',
 '{one_member,two_to_five,six_to_twelve}', '{open_source,for_profit}', '{global,local}', '{early_stage,growth_stage}'),
('core_values', 16, 'resilience', 'Resilience',
 'No single person, server or bank account is a point the whole group depends on.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,mutual_aid,open_source}', '{global,national}', '{established,enterprise}'),
('core_values', 17, 'simplicity', 'Simplicity',
 'Rules stay as few and as short as the group can manage with.',
 '{one_member,two_to_five}', '{for_profit,open_source}', '{local,global}', '{early_stage}'),
('core_values', 18, 'stewardship', 'Stewardship',
 'Those in charge look after shared resources for the members who come after them.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit}', '{national,regional}', '{established,enterprise}'),
('core_values', 19, 'decentralization', 'Decentralization',
 'Decisions are made as close as possible to the people they affect.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,mutual_aid,open_source}', '{global,national,regional}', '{growth_stage,established}'),
('core_values', 20, 'reciprocity', 'Reciprocity',
 'Members give what they can and take what they need, and the exchange goes both ways.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid}', '{local}', '{early_stage,growth_stage}'),
('core_values', 21, 'integrity', 'Integrity',
 'The group does what its rule says, and changes the rule openly when it stops doing so.',
 '{one_member,two_to_five,six_to_twelve}', '{for_profit,nonprofit}', '{national,global}', '{established,enterprise}'),
('core_values', 22, 'pluralism', 'Pluralism',
 'Several points of view are kept alive on purpose instead of letting one faction win outright.',
 '{over_one_hundred}', '{dao,nonprofit}', '{global,national}', '{growth_stage,established}'),
('core_values', 23, 'efficiency', 'Efficiency',
 'Decisions are made quickly by the fewest people who can make them well.',
 '{one_member,two_to_five,six_to_twelve}', '{for_profit}', '{national,global}', '{enterprise}'),
-- Communication
('communication', 1, 'loomio', 'Loomio',
 'Discussions and proposals live together on Loomio, so members see the whole thread before they vote or consent.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,workers_coop,mutual_aid,open_source}', '{regional,national,global}', '{growth_stage,established}'),
('communication', 2, 'signal', 'Signal group',
 'An end-to-end encrypted Signal group carries quick coordination and reminders; anything that needs a decision moves elsewhere.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,nonprofit,workers_coop}', '{local,regional}', '{early_stage,growth_stage}'),
('communication', 3, 'matrix', 'Matrix rooms',
 'Federated Matrix rooms, one per topic, that the group can host itself and bridge to other chat networks.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{open_source,dao,nonprofit}', '{global,national}', '{growth_stage,established}'),
('communication', 4, 'discourse-forum', 'Discourse forum',
 'A searchable Discourse forum for long-form proposals and the discussion that shapes them.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{open_source,dao,nonprofit,for_profit}', '{global,national}', '{established,enterprise}'),
('communication', 5, 'mailing-list', 'Mailing list',
 'An archived email list: slow, asynchronous and reachable by anyone with an inbox.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{open_source,nonprofit}', '{global,national,regional}', '{established,enterprise}'),
('communication', 6, 'in-person-meetings', 'Regular in-person meetings',
 'Members meet face to face on a fixed schedule, with an agenda shared beforehand and notes shared after.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,workers_coop,nonprofit}', '{local}', '{early_stage,growth_stage,established}'),
('communication', 7, 'video-calls', 'Scheduled video calls',
 'Recurring video calls at times that rotate across time zones, recorded or minuted for those who miss them.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{for_profit,nonprofit,dao,open_source}', '{regional,national,global}', '{growth_stage,established,enterprise}'),
('communication', 8, 'discord', 'Discord server',
 'A Discord server with channels per working group and roles that show who holds which responsibility.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,open_source}', '{global}', '{early_stage,growth_stage}'),
('communication', 9, 'newsletter', 'Newsletter',
 'A regular newsletter sums up what was decided and what is coming up, for members who do not follow every thread.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit,dao}', '{regional,national,global}', '{established,enterprise}'),
('communication', 10, 'notice-board', 'Shared notice board',
 'A physical or shared online board where requests, offers and upcoming decisions are posted for all to see.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,workers_coop}', '{local}', '{early_stage,growth_stage}'),
('communication', 11, 'slack', 'Slack workspace',
 'A Slack workspace with public channels by default, so that conversations stay findable.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{for_profit,open_source,nonprofit}', '{national,global}', '{growth_stage,established,enterprise}'),
('communication', 12, 'public-log', 'Public decision log',
 'Every decision is recorded in a public log with its date, who made it and why, even when one person decides.',
 '{one_member,two_to_five,six_to_twelve}', '{open_source,dao,for_profit}', '{global,national}', '{early_stage,growth_stage}'),
-- Membership
('membership', 1, 'open-access', 'Open access',
 'Anyone who shares the purpose can join by saying so; there is no gate to pass.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{open_source,mutual_aid,dao}', '{global,national,regional,local}', '{early_stage,growth_stage}'),
('membership', 2, 'peer-sponsorship', 'Peer sponsorship',
 'A newcomer joins when an existing member vouches for them and helps them find their way in.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{workers_coop,nonprofit,mutual_aid}', '{local,regional}', '{growth_stage,established}'),
('membership', 3, 'application-review', 'Application and review',
 'People apply in writing and a membership committee decides within a stated time, giving reasons for a refusal.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit,workers_coop}', '{regional,national}', '{established,enterprise}'),
('membership', 4, 'trial-period', 'Trial period',
 'New people take part for a fixed trial period, after which they and the group decide together whether they stay.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{workers_coop,for_profit}', '{local,regional}', '{growth_stage,established}'),
('membership', 5, 'membership-dues', 'Membership dues',
 'Membership comes with regular dues on a sliding scale; paying members have a vote.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,mutual_aid,workers_coop}', '{local,regional,national}', '{established,enterprise}'),
('membership', 6, 'token-gated', 'Token holding',
 'Holding the group''s token is what makes someone a member, and the token can be transferred.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao}', '{global}', '{early_stage,growth_stage}'),
('membership', 7, 'contribution-based', 'Membership through contribution',
 'People become members by contributing: accepted work, organised events or other visible effort.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{open_source,dao}', '{global}', '{early_stage,growth_stage,established}'),
('membership', 8, 'invitation-only', 'Invitation only',
 'Only the current members can invite someone in, and they decide whom.',
 '{one_member,two_to_five,six_to_twelve}', '{for_profit,workers_coop,nonprofit}', '{local,regional}', '{early_stage}'),
('membership', 9, 'consensus-admission', 'Admission by consensus',
 'A newcomer joins once every current member has agreed or stood aside.',
 '{two_to_five,six_to_twelve}', '{workers_coop,mutual_aid}', '{local}', '{early_stage,growth_stage}'),
('membership', 10, 'founding-members', 'Founding group',
 'Membership is the founding group; changing it is a decision of the founders.',
 '{one_member,two_to_five}', '{for_profit,open_source}', '{local,regional,national,global}', '{early_stage}'),
('membership', 11, 'member-share', 'Member share',
 'Members buy one share each, which gives one vote whatever else they own, and is paid back when they leave.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{workers_coop}', '{local,regional}', '{established,enterprise}'),
-- Decision-making
('decision_making', 1, 'lazy-consensus', 'Lazy consensus',
 'A proposal is announced with a deadline and passes unless someone objects before it; silence counts as agreement.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{open_source,nonprofit,dao}', '{global,national}', '{growth_stage,established}'),
('decision_making', 2, 'full-consensus', 'Consensus',
 'The group talks until everyone can agree or chooses to stand aside; a single block stops the proposal.',
 '{two_to_five,six_to_twelve}', '{mutual_aid,workers_coop,nonprofit}', '{local,regional}', '{early_stage,growth_stage}'),
('decision_making', 3, 'sociocracy', 'Sociocratic consent',
 'Decisions are made in small linked circles and go ahead when nobody has a reasoned objection, rather than when everyone is keen.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{workers_coop,nonprofit,for_profit}', '{local,regional,national}', '{growth_stage,established}'),
('decision_making', 4, 'majority-vote', 'Majority vote',
 'Members vote and the option with more than half of the votes cast wins, after a set time for discussion.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,workers_coop,mutual_aid,for_profit}', '{local,regional,national}', '{established,enterprise}'),
('decision_making', 5, 'quadratic-voting', 'Quadratic voting',
 'Each member gets a budget of voice credits; several votes on one issue cost the square of their number, so strong preferences count without letting anyone dominate.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,open_source}', '{global,national}', '{growth_stage,established}'),
('decision_making', 6, 'liquid-delegation', 'Liquid delegation',
 'Members vote directly or hand their vote to someone they trust, topic by topic, and can take it back at any time.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao,open_source,nonprofit}', '{global,national}', '{growth_stage,established}'),
('decision_making', 7, 'sortition', 'Sortition',
 'A panel of members drawn by lot studies the question, hears from others and decides for the group.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,mutual_aid,dao}', '{regional,national}', '{established}'),
('decision_making', 8, 'elected-representatives', 'Elected representatives',
 'Members elect a board for a fixed term; the board decides between elections and reports back.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit,workers_coop}', '{regional,national,global}', '{established,enterprise}'),
('decision_making', 9, 'do-ocracy', 'Do-ocracy',
 'Whoever does the work decides how it is done; others can help, or do it differently themselves.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{open_source,mutual_aid,dao}', '{local,global}', '{early_stage,growth_stage}'),
('decision_making', 10, 'benevolent-dictator', 'Benevolent dictator',
 'One person, usually the founder, has the final say, listens widely and explains each call.',
 '{one_member,two_to_five,six_to_twelve}', '{open_source,for_profit}', '{global}', '{early_stage}'),
('decision_making', 11, 'advice-process', 'Advice process',
 'Anyone may make a decision after asking for advice from the people it affects and those who know the subject.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{for_profit,workers_coop,nonprofit}', '{local,regional,national}', '{growth_stage,established}'),
('decision_making', 12, 'petition', 'Petition threshold',
 'A proposal signed by a set share of members must be put to a vote of everyone.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,mutual_aid,dao}', '{regional,national,global}', '{growth_stage,established}'),
('decision_making', 13, 'conviction-voting', 'Conviction voting',
 'Members stake support on proposals over time; a proposal passes once its accumulated support crosses a threshold.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{dao}', '{global}', '{growth_stage}'),
('decision_making', 14, 'devolved-authority', 'Devolved authority',
 'Local groups decide everything that only concerns them; only shared matters go to the whole federation.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,mutual_aid,workers_coop}', '{regional,national,global}', '{established,enterprise}'),
('decision_making', 15, 'appointed-board', 'Self-appointed board',
 'A board fills its own vacant seats and decides on behalf of the organisation.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit}', '{regional,national}', '{established,enterprise}'),
-- Conflict management
('conflict_management', 1, 'peer-mediation', 'Peer mediation',
 'Two members trained in mediation help the people in conflict hear each other and agree on next steps.',
 '{six_to_twelve,thirteen_to_one_hundred,over_one_hundred}', '{mutual_aid,workers_coop,nonprofit}', '{local,regional}', '{growth_stage,established}'),
('conflict_management', 2, 'restorative-circle', 'Restorative circle',
 'Those harmed, those who caused harm and their supporters meet in a facilitated circle to repair what was broken.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,nonprofit,workers_coop}', '{local}', '{growth_stage,established}'),
('conflict_management', 3, 'direct-conversation', 'Talk it through first',
 'People in a disagreement first try to settle it with each other directly, before anyone else is involved.',
 '{two_to_five,six_to_twelve}', '{workers_coop,for_profit,open_source,mutual_aid}', '{local,regional}', '{early_stage,growth_stage}'),
('conflict_management', 4, 'code-of-conduct', 'Code of conduct',
 'A written code of conduct says what behaviour is not acceptable, and a named team handles reports confidentially.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{open_source,dao,for_profit}', '{global,national}', '{growth_stage,established,enterprise}'),
('conflict_management', 5, 'external-mediator', 'Outside mediator',
 'A professional mediator from outside the group is brought in when the parties cannot settle it alone.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{for_profit,nonprofit,workers_coop}', '{regional,national}', '{established,enterprise}'),
('conflict_management', 6, 'arbitration-panel', 'Arbitration panel',
 'A standing panel hears both sides and makes a decision the parties have agreed in advance to accept.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,workers_coop,dao}', '{national,global}', '{established,enterprise}'),
('conflict_management', 7, 'cooling-off', 'Cooling-off period',
 'Heated disputes pause for an agreed time before anyone acts, so that decisions are not made in anger.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,open_source,workers_coop}', '{local,global}', '{early_stage,growth_stage}'),
('conflict_management', 8, 'ombudsperson', 'Ombudsperson',
 'An independent person members can go to in confidence, who investigates complaints and recommends remedies.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,for_profit}', '{national,global}', '{established,enterprise}'),
('conflict_management', 9, 'jury-of-peers', 'Jury of peers',
 'A small jury of members drawn by lot hears a dispute and decides on it.',
 '{thirteen_to_one_hundred,over_one_hundred}', '{nonprofit,dao,mutual_aid}', '{regional,national,global}', '{established}'),
('conflict_management', 10, 'transformative-justice', 'Transformative justice',
 'The group looks at the conditions that allowed harm to happen and changes them, without calling in outside authorities.',
 '{six_to_twelve,thirteen_to_one_hundred}', '{mutual_aid,nonprofit}', '{local,regional}', '{growth_stage,established}'),
('conflict_management', 11, 'founder-decides', 'The founder decides',
 'When people cannot agree, the founder hears them out and rules, and the ruling is recorded.',
 '{one_member,two_to_five,six_to_twelve}', '{open_source,for_profit}', '{global,local}', '{early_stage}'),
('conflict_management', 12, 'nonviolent-communication', 'Nonviolent communication',
 'Members are trained to state observations, feelings, needs and requests, which keeps a disagreement from becoming a fight.',
 '{two_to_five,six_to_twelve,thirteen_to_one_hundred}', '{workers_coop,mutual_aid,nonprofit}', '{local,regional}', '{early_stage,growth_stage}');

INSERT INTO catalog_methods (section, slug, label, description, sort_order)
SELECT section, slug, label, description, sort_order FROM seed_methods;

INSERT INTO catalog_method_facets (method_id, facet_group, facet_value)
SELECT m.id, f.facet_group, f.facet_value
  FROM seed_methods s
  JOIN catalog_methods m ON m.section = s.section AND m.slug = s.slug
  CROSS JOIN LATERAL (
    SELECT 'size', unnest(s.sizes) UNION ALL
    SELECT 'org_type', unnest(s.org_types) UNION ALL
    SELECT 'scale', unnest(s.scales) UNION ALL
    SELECT 'maturity', unnest(s.maturities)
  ) AS f (facet_group, facet_value);

-- Templates: which methods make up each section, in order.
CREATE TEMPORARY TABLE seed_templates (
  slug                text,
  title               text,
  category            text,
  featured            boolean,
  sort_order          integer,
  description         text,
  core_values         text[],
  communication       text[],
  membership          text[],
  decision_making     text[],
  conflict_management text[]
) ON COMMIT DROP;

INSERT INTO seed_templates VALUES
('consensus-clusters', 'Circles', 'consensus', false, 10,
 'Work happens in small circles that each own one area and decide by consent; circles link through shared members so the whole stays connected.',
 '{autonomy,trust,participation}', '{in-person-meetings,loomio}', '{peer-sponsorship,trial-period}',
 '{sociocracy,advice-process}', '{restorative-circle,peer-mediation}'),
('consensus', 'Consensus', 'consensus', true, 20,
 'A close group that decides together: nothing goes ahead until everyone can live with it, and everyone has a voice in who joins.',
 '{consent,inclusion,respect}', '{in-person-meetings,signal}', '{consensus-admission,peer-sponsorship}',
 '{full-consensus,lazy-consensus}', '{direct-conversation,nonviolent-communication,peer-mediation}'),
('elected-board', 'Elected board', 'representative', false, 30,
 'Members elect a board for a fixed term to run day-to-day matters, keep it accountable through reports and can vote it out.',
 '{accountability,transparency}', '{newsletter,video-calls,mailing-list}', '{membership-dues,application-review}',
 '{elected-representatives,majority-vote}', '{arbitration-panel,external-mediator}'),
('petition', 'Petition', 'direct', false, 40,
 'Any member can start a proposal; one that gathers enough signatures goes to a vote of the whole membership.',
 '{participation,equity}', '{discourse-forum,newsletter}', '{open-access,membership-dues}',
 '{petition,majority-vote}', '{ombudsperson,peer-mediation}'),
('solidarity-network', 'Solidarity network', 'decentralized', false, 50,
 'Neighbours organise mutual aid: whoever sees a need and can meet it acts, and the network meets regularly to share the load.',
 '{solidarity,care,reciprocity}', '{signal,in-person-meetings,notice-board}', '{open-access,peer-sponsorship}',
 '{do-ocracy,full-consensus}', '{transformative-justice,restorative-circle}'),
('sortition-jury', 'Sortition jury', 'representative', false, 60,
 'Important questions go to a panel of members drawn by lot, who learn the issue in depth and decide on behalf of everyone.',
 '{equity,pluralism}', '{loomio,newsletter}', '{open-access,application-review}',
 '{sortition,majority-vote}', '{jury-of-peers,peer-mediation}'),
('liquid-democracy', 'Liquid democracy', 'delegated', false, 70,
 'Every member can vote on every question, or lend their vote to someone they trust on that topic and take it back whenever they like.',
 '{participation,trust,transparency}', '{loomio,matrix}', '{open-access,token-gated}',
 '{liquid-delegation,majority-vote}', '{code-of-conduct,arbitration-panel}'),
('do-ocracy', 'Do-ocracy', 'decentralized', true, 80,
 'People who step up and do the work make the decisions about it; the group only steps in when someone objects.',
 '{autonomy,courage,open-knowledge}', '{matrix,discord,public-log}', '{contribution-based,open-access}',
 '{do-ocracy,lazy-consensus}', '{direct-conversation,code-of-conduct}'),
('quadratic-governance', 'Quadratic governance', 'direct', true, 90,
 'Members spend a budget of voice credits across proposals, so that they can show how much they care while no bloc can simply outvote the rest.',
 '{pluralism,transparency}', '{discord,discourse-forum}', '{token-gated,contribution-based}',
 '{quadratic-voting,conviction-voting}', '{code-of-conduct,jury-of-peers}'),
('federated-clusters', 'Federated clusters', 'decentralized', false, 100,
 'Independent local groups run themselves and send delegates to a federation that handles only what they share.',
 '{autonomy,solidarity,decentralization}', '{matrix,mailing-list}', '{peer-sponsorship,membership-dues}',
 '{devolved-authority,sociocracy}', '{peer-mediation,arbitration-panel}'),
('devolution', 'Devolution', 'decentralized', true, 110,
 'A central body hands decisions down to the teams and places closest to them, keeping for itself only what must be decided once for all.',
 '{autonomy,stewardship,accountability}', '{newsletter,video-calls}', '{application-review,member-share}',
 '{devolved-authority,advice-process,elected-representatives}', '{ombudsperson,external-mediator}'),
('benevolent-dictator', 'Benevolent dictator', 'autocratic', false, 120,
 'A founder keeps the final say, consults the community openly and records the reasons for every call.',
 '{simplicity,integrity}', '{public-log,mailing-list}', '{founding-members,contribution-based}',
 '{benevolent-dictator,lazy-consensus}', '{founder-decides,code-of-conduct}'),
('self-appointed-board', 'Self-appointed board', 'representative', false, 130,
 'A small board chooses its own members and governs on behalf of the organisation, answering to its mission rather than to a membership.',
 '{stewardship,integrity,efficiency}', '{newsletter,slack}', '{invitation-only,application-review}',
 '{appointed-board,majority-vote}', '{external-mediator,ombudsperson}');

INSERT INTO governance_templates (slug, title, category, featured, sort_order, description)
SELECT slug, title, category, featured, sort_order, description FROM seed_templates;

INSERT INTO governance_template_methods (template_id, method_id, position)
SELECT t.id, m.id, picked.position
  FROM seed_templates s
  JOIN governance_templates t ON t.slug = s.slug
  CROSS JOIN LATERAL (
    SELECT 'core_values', slug, position FROM unnest(s.core_values) WITH ORDINALITY AS u (slug, position) UNION ALL
    SELECT 'communication', slug, position FROM unnest(s.communication) WITH ORDINALITY AS u (slug, position) UNION ALL
    SELECT 'membership', slug, position FROM unnest(s.membership) WITH ORDINALITY AS u (slug, position) UNION ALL
    SELECT 'decision_making', slug, position FROM unnest(s.decision_making) WITH ORDINALITY AS u (slug, position) UNION ALL
    SELECT 'conflict_management', slug, position FROM unnest(s.conflict_management) WITH ORDINALITY AS u (slug, position)
  ) AS picked (section, slug, position)
  JOIN catalog_methods m ON m.section = picked.section AND m.slug = picked.slug;

-- A misspelt slug above would silently drop a method: refuse the migration instead.
DO $$
BEGIN
  IF (SELECT count(*) FROM governance_template_methods) <>
     (SELECT sum(cardinality(core_values) + cardinality(communication) + cardinality(membership) +
                 cardinality(decision_making) + cardinality(conflict_management))
        FROM seed_templates) THEN
    RAISE EXCEPTION 'a template names a method the catalog does not have';
  END IF;
END $$;

-- Each body is built from its methods: a section per category in the document's order, one
-- entry per method titled by its label.
UPDATE governance_templates t
   SET body = jsonb_build_object('sections', (
         SELECT jsonb_agg(jsonb_build_object('category_name', s.category_name, 'entries', s.entries)
                          ORDER BY s.section_order)
           FROM (SELECT names.category_name, names.section_order,
                        jsonb_agg(jsonb_build_object('title', m.label, 'body', m.description)
                                  ORDER BY tm.position) AS entries
                   FROM governance_template_methods tm
                   JOIN catalog_methods m ON m.id = tm.method_id
                   JOIN (VALUES ('core_values', 'Values', 1),
                                ('communication', 'Communication', 2),
                                ('membership', 'Membership', 3),
                                ('decision_making', 'Decision-making', 4),
                                ('conflict_management', 'Conflict management', 5))
                        AS names (section, category_name, section_order) ON names.section = m.section
                  WHERE tm.template_id = t.id
                  GROUP BY names.category_name, names.section_order) AS s));
