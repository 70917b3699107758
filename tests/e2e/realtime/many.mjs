// Opens many WebSockets (npm ws) to keel at once, each subscribed to one channel, and reports
// how they end: {"open": N} once all are subscribed, then {"closed": N, "codes": {...}}.
// Usage: node many.mjs <url> <authorization> <channel> <count> <timeout_ms>
import WebSocket from "ws";

const [url, authorization, channel, countText, timeoutText] = process.argv.slice(2);
const count = Number(countText);
const print = (o) => process.stdout.write(JSON.stringify(o) + "\n");
let subscribed = 0;
let closed = 0;
const codes = {};
const finish = () => {
  print({ closed, codes });
  process.exit(0);
};
setTimeout(finish, Number(timeoutText));

for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url, { headers: { Authorization: authorization } });
  ws.on("open", () => ws.send(JSON.stringify({ type: "subscribe", channel })));
  ws.on("message", (data) => {
    if (JSON.parse(data.toString()).type === "subscribed" && ++subscribed === count) {
      print({ open: subscribed });
    }
  });
  ws.on("close", (code) => {
    codes[code] = (codes[code] ?? 0) + 1;
    if (++closed === count) finish();
  });
  ws.on("error", () => {});
}
