// The load side of tests/bench/realtime.sh: many subscribers of one channel, for keel, the ws
// peer or Socket.IO, and (for fanout) the publisher that times each event to every subscriber.
//   node clients.mjs idle   <system> <url> <count> <channel> <authorization>
//       opens and subscribes <count> sockets, prints {"open":N}, then holds them until killed
//   node clients.mjs fanout <system> <url> <count> <channel> <authorization> <events> <window>
//       then publishes <events> events, at most <window> in flight, and prints deliveries/s
//       and publish-to-delivery percentiles (every subscriber's copy of every event)
// keel's events are written as keel writes them (a row in `events`, then the notice on Redis:
// DATABASE_URL, REDIS_URL); the ws peer's go on Redis pub/sub; Socket.IO's through its emitter.
import WebSocket from "ws";
import { io as connect } from "socket.io-client";
import Redis from "ioredis";
import postgres from "postgres";
import { Emitter } from "@socket.io/redis-emitter";

const [mode, system, url, countText, channel, authorization, eventsText, windowText] =
  process.argv.slice(2);
const count = Number(countText);
const print = (o) => process.stdout.write(JSON.stringify(o) + "\n");

let onEvent = () => {};
function open() {
  return new Promise((resolve) => {
    if (system === "socketio") {
      const s = connect(url, { transports: ["websocket"], forceNew: true, reconnection: false });
      s.on("connect", () => s.emit("subscribe", channel, () => resolve(s)));
      s.on("event", (data) => onEvent(data.seq));
      return;
    }
    const headers = system === "keel" ? { Authorization: authorization } : {};
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on("open", () => ws.send(JSON.stringify({ type: "subscribe", channel })));
    ws.on("message", (raw) => {
      const msg = JSON.parse(raw);
      if (msg.type === "subscribed") resolve(ws);
      else if (msg.type === "event") onEvent(msg.data.seq);
    });
    ws.on("error", (e) => print({ error: String(e.message ?? e) }));
  });
}

// Opened in batches, so the servers' accept queues never overflow.
const sockets = [];
for (let i = 0; i < count; i += 200) {
  const batch = [];
  for (let j = i; j < Math.min(count, i + 200); j++) batch.push(open());
  sockets.push(...(await Promise.all(batch)));
}
print({ open: sockets.length });
if (mode === "idle") {
  setInterval(() => {}, 1 << 30);
} else {
  const events = Number(eventsText);
  const window = Number(windowText);
  const redis = new Redis(process.env.REDIS_URL);
  const sql = system === "keel" ? postgres(process.env.DATABASE_URL, { max: 2 }) : null;
  const emitter = system === "socketio" ? new Emitter(redis) : null;
  const publish = async (seq) => {
    if (system === "keel") {
      // The statement realtime::store::insert_event runs: the channel's lock first, so that
      // events of one channel commit in id order (what each instance's cursor relies on).
      await sql`INSERT INTO events (channel, type, data)
                SELECT ${channel}, 'bench', ${sql.json({ seq })}
                  FROM (SELECT pg_advisory_xact_lock(hashtextextended('keel.events:' || ${channel}, 0))) AS locked`;
      await redis.publish("keel:realtime", "bench " + channel);
    } else if (system === "ws") {
      await redis.publish("bench:events", JSON.stringify({ channel, id: seq, event: "bench", data: { seq } }));
    } else {
      emitter.to(channel).emit("event", { seq });
    }
  };
  const sent = new Map();  // seq → [hrtime of publish, deliveries left]
  const latencies = [];
  let next = 0;
  let completed = 0;
  const started = process.hrtime.bigint();
  await new Promise((resolve) => {
    const launch = () => {
      while (next < events && sent.size < window) {
        const seq = next++;
        sent.set(seq, [process.hrtime.bigint(), count]);
        publish(seq);
      }
    };
    onEvent = (seq) => {
      const entry = sent.get(seq);
      if (!entry) return;
      latencies.push(Number(process.hrtime.bigint() - entry[0]) / 1e6);
      if (--entry[1] === 0) {
        sent.delete(seq);
        if (++completed === events) resolve();
        else launch();
      }
    };
    launch();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  print({
    deliveries: latencies.length,
    seconds,
    per_second: latencies.length / seconds,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
  });
  process.exit(0);
}
