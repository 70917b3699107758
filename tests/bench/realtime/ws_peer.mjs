// The hand-written Node peer: npm ws for the sockets and ioredis pub/sub between instances,
// speaking keel's subscribe/event messages. Each instance subscribes to one Redis channel and
// sends every published event to its own subscribers of the event's channel.
// Usage: node ws_peer.mjs <port> <redis_url>
import { WebSocketServer } from "ws";
import Redis from "ioredis";

const [port, redisUrl] = process.argv.slice(2);
const channels = new Map();  // channel → Set of sockets
const wss = new WebSocketServer({ host: "127.0.0.1", port: Number(port), perMessageDeflate: false });
wss.on("connection", (ws) => {
  const mine = new Set();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === "subscribe") {
      if (!channels.has(msg.channel)) channels.set(msg.channel, new Set());
      channels.get(msg.channel).add(ws);
      mine.add(msg.channel);
      ws.send(JSON.stringify({ type: "subscribed", channel: msg.channel }));
    }
  });
  ws.on("close", () => {
    for (const c of mine) channels.get(c)?.delete(ws);
  });
});
const sub = new Redis(redisUrl);
await sub.subscribe("bench:events");
sub.on("message", (_, payload) => {
  const event = JSON.parse(payload);
  const frame = JSON.stringify({ type: "event", ...event });
  for (const ws of channels.get(event.channel) ?? []) ws.send(frame);
});
process.stdout.write("ready\n");
