// One room, whatever its phase. The room id is in the URL, so a reload (or a reconnect)
// sends room.join again and the full room.state puts the player back in their seat.
// Room events carry `seq`: older room states are ignored and a gap triggers a re-read.
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { syncServerTime } from "../../clock.js";
import { on, onReconnect, request } from "../../live.js";
import { flashInfo, showError } from "../../notices.js";
import { navigate } from "../../router.js";
import { createScope } from "../../scope.js";
import { currentUser } from "../../session.js";
import { countdownView } from "./countdownView.js";
import { createFeed } from "./feed.js";
import { lobbyView } from "./lobbyView.js";
import { resultsView } from "./resultsView.js";
import { runningView } from "./runningView.js";

const VIEWS = { LOBBY: lobbyView, COUNTDOWN: countdownView, RUNNING: runningView, FINISHED: resultsView };
const STATE_LABELS = { LOBBY: "Lobby", COUNTDOWN: "Starting", RUNNING: "Running", FINISHED: "Finished" };

function roleOf(ctx) {
  if (ctx.isPlayer) return ctx.isHost ? "You host and play" : "You are playing";
  return ctx.isHost ? "You are hosting" : "You are watching";
}

export async function roomPage(root, { id }, scope) {
  const roomId = Number(id);
  const me = currentUser();
  const header = h("div", { class: "page-head" });
  const body = h("div", {}, h("p", { class: "muted" }, "Joining the room…"));
  const page = h("div", { class: "room" }, header, body);
  root.append(page);

  let lastSeq = 0;
  let phase = null;
  let view = null;
  let viewScope = null;
  let resyncTimer = null;

  const ctx = {
    me,
    room: null,
    results: null,
    rematch: null,
    challenges: new Map(),
    feed: createFeed(roomId),
    challengeName: (cid) => ctx.challenges.get(cid)?.name || `Challenge ${cid}`,
    get isHost() { return ctx.room.host_user_id === me.id; },
    get isPlayer() { return ctx.room.players.some((p) => p.user_id === me.id); },
    actions: {
      ready: async (ready) => applySnapshot(await request("room.ready", { room_id: roomId, ready })),
      start: async () => applySnapshot(await request("room.start", { room_id: roomId })),
      kick: async (userId) => applySnapshot(await request("room.kick", { room_id: roomId, user_id: userId })),
      announce: (text) => request("room.announce", { room_id: roomId, text }),
      end: async () => applySnapshot(await api.post(`/rooms/${roomId}/end`)),
      rematch: async () => navigate(`/rooms/${(await api.post(`/rooms/${roomId}/rematch`)).id}`),
      leave: async () => {
        await request("room.leave", { room_id: roomId });
        navigate("/rooms");
      },
    },
  };

  const loadChallenges = async (ids) => {
    const missing = ids.filter((cid) => !ctx.challenges.has(cid));
    const loaded = await Promise.all(missing.map((cid) => api.get(`/challenges/${cid}`)));
    loaded.forEach((challenge) => ctx.challenges.set(challenge.id, challenge));
  };

  const loadResults = async () => {
    try {
      ctx.results = await api.get(`/rooms/${roomId}/results`);
      render();
    } catch (error) {
      showError(error);
    }
  };

  function render() {
    if (!ctx.room || scope.disposed) return;
    const room = ctx.room;
    replace(header,
      h("h1", { tabindex: "-1" }, room.name),
      h("span", { class: `badge state-${room.state.toLowerCase()}`, dataset: { roomState: room.state } }, STATE_LABELS[room.state]),
      h("span", { class: "muted" }, `${roleOf(ctx)} · ${room.max_players === 2 ? "duel" : `tournament of up to ${room.max_players}`} · code `, h("strong", {}, room.code)));
    page.dataset.roomState = room.state;
    const mySeat = room.players.find((p) => p.user_id === me.id);
    const key = `${room.state}:${Boolean(mySeat && !mySeat.forfeited)}`; // a new view when my role changes too
    if (key !== phase) {
      viewScope?.dispose();
      viewScope = createScope();
      phase = key;
      view = VIEWS[room.state](ctx, viewScope);
      replace(body, view.element);
      if (room.state === "FINISHED" && !ctx.results) loadResults();
    }
    view.update();
  }

  /** Shows a room object (event, ack or REST); rendering always uses the newest one. */
  async function apply(room) {
    if (!room || room.id !== roomId) return;
    syncServerTime(room.server_time);
    ctx.room = room;
    await loadChallenges(room.challenge_ids);
    render();
  }

  const resync = () => {
    clearTimeout(resyncTimer);
    resyncTimer = setTimeout(() => api.get(`/rooms/${roomId}`).then(applySnapshot).catch(() => {}), 300);
  };

  /** False when `seq` is older than what we have; a jump means we missed an event: re-read. */
  const fresh = (seq) => {
    if (typeof seq !== "number") return true;
    if (seq < lastSeq) return false;
    if (lastSeq && seq > lastSeq + 1) resync();
    lastSeq = seq;
    return true;
  };

  /** A full room from an ack or REST: it covers every event up to its seq. */
  const applySnapshot = (room) => {
    if (typeof room?.seq === "number") {
      if (room.seq < lastSeq) return undefined;
      lastSeq = room.seq;
    }
    return apply(room);
  };

  /** Handles a room event of this room only, noting its seq. */
  const roomEvent = (name, handler) => on(name, (payload) => {
    if (payload?.room_id !== roomId || scope.disposed) return;
    if (fresh(payload.seq) || name === "room.announcement" || name === "room.first_solve") handler(payload);
  });

  const join = async () => {
    try {
      await applySnapshot(await request("room.join", { room_id: roomId }));
    } catch (error) {
      if (error.status === 404 || /not found/i.test(error.message)) replace(body, h("p", {}, "This room does not exist. ", h("a", { href: "#/rooms" }, "Back to rooms")));
      showError(error);
    }
  };

  scope.add(() => { viewScope?.dispose(); clearTimeout(resyncTimer); });
  scope.add(roomEvent("room.state", apply));
  // Followed by a room.state; listened to so that their seq does not look like a gap.
  scope.add(roomEvent("room.countdown", () => {}));
  scope.add(roomEvent("room.started", () => {}));
  scope.add(roomEvent("room.standings", ({ standings }) => {
    if (!ctx.room) return;
    ctx.room = { ...ctx.room, standings };
    render();
  }));
  scope.add(roomEvent("room.announcement", (event) => ctx.feed.announcement(event)));
  scope.add(roomEvent("room.first_solve", (event) => ctx.feed.firstSolve(event, ctx.challengeName(event.challenge_id))));
  scope.add(roomEvent("room.finished", ({ standings, winner_user_ids }) => {
    ctx.results = { room_id: roomId, standings, winner_user_ids };
    render();
  }));
  scope.add(roomEvent("room.rematch", (event) => {
    ctx.rematch = event;
    render();
  }));
  scope.add(on("room.kicked", (event) => {
    if (event.room_id !== roomId) return;
    flashInfo("The host removed you from that room.");
    navigate("/rooms");
  }));
  scope.add(onReconnect(join));
  await join();
}
