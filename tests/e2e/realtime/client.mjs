// A realtime client for keel's end-to-end tests, built on npm ws (WebSocket) or eventsource
// (SSE). It is driven by one JSON argument and prints one JSON line per thing that happens:
//   {"t":ms,"open":true}  {"t":ms,"msg":{...}}  {"t":ms,"status":401,"body":"..."}
//   {"t":ms,"close":1001,"reason":"..."}  {"t":ms,"end":"events"|"closed"|"timeout"}
// Spec: {kind: "ws"|"sse", url, origin?, headers?, subscribe?: [{channel, since?}],
//        send?: [text], events: N, timeout_ms, pause?: bool, sse_types?: [name]}
import WebSocket from "ws";
import { EventSource } from "eventsource";

const spec = JSON.parse(process.argv[2]);
const started = Date.now();
const print = (o) => process.stdout.write(JSON.stringify({ t: Date.now() - started, ...o }) + "\n");
let events = 0;
let ended = false;
const end = (why) => {
  if (ended) return;
  ended = true;
  print({ end: why });
  setTimeout(() => process.exit(0), 20);
};
setTimeout(() => end("timeout"), spec.timeout_ms ?? 10000);

const counted = (msg) => {
  if (msg.type === "event" && ++events >= (spec.events ?? Infinity)) end("events");
};

if (spec.kind === "ws") {
  const ws = new WebSocket(spec.url, { origin: spec.origin, headers: spec.headers ?? {} });
  ws.on("unexpected-response", (req, res) => {
    let body = "";
    res.on("data", (c) => (body += c));
    res.on("end", () => {
      print({ status: res.statusCode, body });
      end("closed");
    });
  });
  ws.on("open", () => {
    print({ open: true });
    for (const s of spec.subscribe ?? []) ws.send(JSON.stringify({ type: "subscribe", ...s }));
    for (const text of spec.send ?? []) ws.send(text);
  });
  let acks = 0;
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    print({ msg });
    if (msg.type === "subscribed" && ++acks === (spec.subscribe ?? []).length && spec.pause) {
      // A consumer that stops reading: the kernel buffers fill, then keel's queue does.
      ws._socket.pause();
    }
    counted(msg);
  });
  ws.on("close", (code, reason) => {
    print({ close: code, reason: reason.toString() });
    end("closed");
  });
  ws.on("error", (e) => print({ error: String(e.message ?? e) }));
} else {
  const headers = spec.headers ?? {};
  const source = new EventSource(spec.url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
  });
  source.onopen = () => print({ open: true });
  source.onerror = (e) => {
    print({ error: e.message ?? "error", status: e.code });
    if (source.readyState === EventSource.CLOSED) end("closed");
  };
  const types = spec.sse_types ?? ["subscribed", "reset", "close"];
  for (const type of types) {
    source.addEventListener(type, (e) => {
      const msg = { type: "event", event: type, id: e.lastEventId, data: JSON.parse(e.data) };
      if (["subscribed", "reset", "close"].includes(type)) msg.type = type;
      print({ msg });
      counted(msg);
      if (type === "close") {
        source.close();
        end("closed");
      }
    });
  }
}
