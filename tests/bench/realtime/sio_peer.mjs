// Socket.IO 4 with its Redis adapter, as most Node products would do realtime: a client joins
// a room per channel; an event emitted to a room (here by @socket.io/redis-emitter from the
// driver) reaches its members on every instance.
// Usage: node sio_peer.mjs <port> <redis_url>
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import Redis from "ioredis";

const [port, redisUrl] = process.argv.slice(2);
const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const http = createServer();
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false });
io.adapter(createAdapter(pub, sub));
io.on("connection", (socket) => {
  socket.on("subscribe", (channel, ack) => {
    socket.join(channel);
    ack?.("subscribed");
  });
});
http.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"));
