// A client a web team would write against keel: its types come only from the served
// /openapi.json (openapi-typescript writes ./keel-api.d.ts next to this file), its requests go
// through openapi-fetch, and tsc --strict must accept it. It walks the product flow end to end:
//
//   KEEL_URL=http://127.0.0.1:PORT KEEL_SMTP_DIR=/tmp/sink KEEL_RUN=unique node client.js
//
// An owner signs in with an emailed code, saves a draft, publishes a rule inviting one
// stakeholder; the stakeholder signs in and accepts; both see the rule in /rules/me and the
// public list and its search find it. Exits 0 when every step answered as the contract says.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { components, paths } from "./keel-api.js";

type Rule = components["schemas"]["Rule"];

const baseUrl = required("KEEL_URL");
const sinkDir = required("KEEL_SMTP_DIR");
const run = required("KEEL_RUN");
const api = createClient<paths>({ baseUrl });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`failed: ${what}`);
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

// The sink keeps each message as a file whose head names its envelope recipient; bodies are
// quoted-printable.
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function mailTo(address: string, pattern: RegExp): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const name of readdirSync(sinkDir).filter((n) => n.endsWith(".eml"))) {
      const text = readFileSync(join(sinkDir, name), "utf8");
      if (!text.includes(`X-Sink-Rcpt-To: ${address}`)) continue;
      const found = decodeQuotedPrintable(text).match(pattern);
      if (found) return found[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address} matching ${pattern}`);
}

async function signIn(email: string): Promise<string> {
  const request = await api.POST("/api/v1/auth/otp/request", { body: { email } });
  check(request.response.status === 202, `OTP request answered ${request.response.status}`);
  const code = await mailTo(email, /code is ([0-9]{6})/);
  const verified = await api.POST("/api/v1/auth/otp/verify", { body: { email, code } });
  check(verified.data !== undefined, `OTP verify answered ${verified.response.status}`);
  return verified.data.access_token;
}

async function main(): Promise<void> {
  const ownerEmail = `owner-${run}@example.com`;
  const stakeholderEmail = `stakeholder-${run}@example.com`;
  const title = `Garden collective ${run}`;
  const sections: Rule["document"]["sections"] = [
    {
      category_name: "Decision-making",
      entries: [{ title: "Lazy consensus", body: "Proposals pass unless someone objects." }],
    },
  ];

  const owner = await signIn(ownerEmail);

  const draft = await api.PUT("/api/v1/drafts/me", {
    headers: auth(owner),
    body: { payload: { community: { name: title }, step: "methods" } },
  });
  check(draft.data !== undefined, `PUT draft answered ${draft.response.status}`);
  check(draft.data.version === 1, "a first draft is version 1");

  const published = await api.POST("/api/v1/rules", {
    headers: auth(owner),
    body: {
      title,
      summary: "How the garden decides",
      document: { sections },
      stakeholder_emails: [stakeholderEmail],
    },
  });
  check(published.data !== undefined, `publish answered ${published.response.status}`);
  const rule: Rule = published.data;
  check(rule.viewer_role === "owner", "the publisher owns the rule");

  const stakeholder = await signIn(stakeholderEmail);
  const token = await mailTo(stakeholderEmail, /token=([A-Za-z0-9_-]+)/);
  const accepted = await api.POST("/api/v1/invites/accept", {
    headers: auth(stakeholder),
    body: { token },
  });
  check(accepted.data?.rule_id === rule.id, `accept answered ${accepted.response.status}`);

  for (const [who, role] of [
    [owner, "owner"],
    [stakeholder, "stakeholder"],
  ] as const) {
    const mine = await api.GET("/api/v1/rules/me", { headers: auth(who) });
    check(mine.data !== undefined, `rules/me answered ${mine.response.status}`);
    const entry = mine.data.data.find((r) => r.id === rule.id);
    check(entry?.role === role, `rules/me lists the rule as ${role}`);
  }

  const listed = await api.GET("/api/v1/rules", { params: { query: { limit: 100 } } });
  check(listed.data?.data.some((r) => r.id === rule.id) === true, "the public list has the rule");
  const searched = await api.GET("/api/v1/rules", { params: { query: { q: `garden ${run}` } } });
  check(searched.data?.data[0]?.id === rule.id, "search ranks the rule first");

  console.log(`product flow passed: rule ${rule.id}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
