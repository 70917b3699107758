// A real browser (Debian's chromium, driven by npm puppeteer-core) opening keel's WebSocket the
// way a web app does: the page, served from its own origin, asks for a ticket with its access
// token (a CORS request), opens the socket with the ticket and subscribes. Prints
// {"subscribed":true} once it is, then {"event":{...}} for the first event, and exits.
// Usage: node browser.mjs <page_port> <keel_port> <access_token> <channel> <timeout_ms>
import http from "node:http";
import puppeteer from "puppeteer-core";

const [pagePort, keelPort, token, channel, timeoutText] = process.argv.slice(2);
const print = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const page_html = `<!doctype html><meta charset="utf-8"><title>keel realtime</title><script>
async function follow(keel, token, channel) {
  const r = await fetch(keel + "/api/v1/realtime/ticket", {
    method: "POST", headers: { Authorization: "Bearer " + token } });
  if (r.status !== 201) { report({ error: "ticket " + r.status }); return; }
  const { ticket } = await r.json();
  const ws = new WebSocket(keel.replace("http", "ws") + "/api/v1/realtime?ticket=" + ticket);
  ws.onopen = () => ws.send(JSON.stringify({ type: "subscribe", channel }));
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "subscribed") report({ subscribed: true });
    if (msg.type === "event") report({ event: msg });
    if (msg.type === "error") report({ error: msg.code });
  };
  ws.onclose = (e) => report({ close: e.code });
}
</script>`;

const server = http.createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(page_html);
});
await new Promise((resolve) => server.listen(Number(pagePort), "127.0.0.1", resolve));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const done = async (code) => {
  await browser.close().catch(() => {});
  server.close();
  process.exit(code);
};
setTimeout(() => {
  print({ end: "timeout" });
  done(1);
}, Number(timeoutText));

const page = await browser.newPage();
await page.exposeFunction("report", (o) => {
  print(o);
  if (o.event || o.error || o.close) done(o.event ? 0 : 1);
});
await page.goto(`http://127.0.0.1:${pagePort}/`);
await page.evaluate(
  (keel, token, channel) => follow(keel, token, channel),
  `http://127.0.0.1:${keelPort}`,
  token,
  channel,
);
