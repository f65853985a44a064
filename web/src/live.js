// The Socket.IO connection: auth with the current access token, acks as promises,
// channel subscriptions that survive reconnects, and the "reconnecting…" indicator.
import { io } from "socket.io-client";
import { ApiError, refreshAccessToken } from "./api.js";
import { getSession } from "./session.js";

const ACK_TIMEOUT_MS = 15000;
let socket = null;
const channelCounts = new Map(); // channel → number of page parts that need it
const reconnectHandlers = new Set();
let statusListener = () => {};

/** `listener(state)` with state "connected" | "connecting" | "reconnecting" | "offline". */
export function onConnectionStatus(listener) {
  statusListener = listener;
}

function connection() {
  if (socket) return socket;
  socket = io({
    path: "/socket.io",
    // A function, so every (re)connection presents the newest access token.
    auth: (callback) => callback({ token: getSession()?.access_token }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  statusListener("connecting");
  let connectedBefore = false;
  socket.on("connect", () => {
    statusListener("connected");
    for (const channel of channelCounts.keys()) socket.emit("subscribe", { channel });
    // The first connection delivers the requests buffered meanwhile; only later ones are re-connections.
    if (connectedBefore) reconnectHandlers.forEach((handler) => handler());
    connectedBefore = true;
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") return;
    statusListener("reconnecting");
    // The server closing the socket does not reconnect by itself; a network loss does.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", async () => {
    statusListener(navigator.onLine === false ? "offline" : "reconnecting");
    if (socket.active) return; // a transport problem: the client retries by itself
    // Refused by the server: most likely an expired access token.
    try {
      await refreshAccessToken();
      setTimeout(() => socket?.connect(), 500);
    } catch {
      // the session expired: the router already sent the user to the sign-in page
    }
  });
  return socket;
}

/** Closes the connection (sign-out). */
export function disconnectLive() {
  if (!socket) return;
  socket.disconnect();
  socket = null;
  channelCounts.clear();
  statusListener("connected");
}

/** Emits an event and resolves with the ack's `data`, or rejects with its `message`. */
export function request(event, payload) {
  const live = connection();
  return new Promise((resolve, reject) => {
    live.timeout(ACK_TIMEOUT_MS).emit(event, payload, (timeoutError, ack) => {
      if (timeoutError) reject(new ApiError("The live connection did not answer in time. Retrying may help."));
      else if (ack?.status === "success") resolve(ack.data);
      else reject(new ApiError(ack?.message || "The server refused this action."));
    });
  });
}

/** Listens to a server event; returns the function that stops listening. */
export function on(event, handler) {
  const live = connection();
  live.on(event, handler);
  return () => live.off(event, handler);
}

/** `handler()` after every re-connection (not the first connection) from now on; returns the
 * remover. Handlers must be idempotent: a request made while disconnected is buffered and may
 * arrive alongside. */
export function onReconnect(handler) {
  connection();
  reconnectHandlers.add(handler);
  return () => reconnectHandlers.delete(handler);
}

/** Joins a channel (re-joined after reconnects); returns the function that leaves it. */
export function subscribe(channel) {
  const live = connection();
  const count = channelCounts.get(channel) || 0;
  channelCounts.set(channel, count + 1);
  if (count === 0 && live.connected) live.emit("subscribe", { channel });
  return () => {
    const left = (channelCounts.get(channel) || 1) - 1;
    if (left > 0) {
      channelCounts.set(channel, left);
      return;
    }
    channelCounts.delete(channel);
    if (socket?.connected) socket.emit("unsubscribe", { channel });
  };
}

/** Whether the live connection is up right now. */
export function isLive() {
  return Boolean(socket?.connected);
}
