// The lobby: join code to share, seats with ready flags, Ready / Start / Kick / Leave.
import { h, replace } from "../../dom.js";
import { busy, showInfo } from "../../notices.js";
import { formatClock } from "../../clock.js";
import { announceForm } from "./hostControls.js";

function shareBox(room) {
  const link = `${location.origin}${location.pathname}#/join/${room.code}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      showInfo("Invitation link copied.");
    } catch {
      showInfo(`Share this link: ${link}`);
    }
  };
  return h("div", { class: "card share" },
    h("p", {}, "Join code"),
    h("p", { class: "join-code", "aria-label": "Join code" }, room.code),
    h("p", { class: "muted small" }, "Players type it under Rooms, or open the link:"),
    h("p", {}, h("a", { href: `#/join/${room.code}`, class: "small" }, link), " ",
      h("button", { type: "button", class: "link", onclick: copy }, "Copy link")));
}

function seatList(ctx) {
  const { room, me } = ctx;
  const seats = room.players.map((player) => h("li", { class: "seat", dataset: { userId: player.user_id } },
    h("span", { class: `dot ${player.connected ? "online" : "offline"}`, title: player.connected ? "connected" : "not connected" }),
    h("span", { class: "seat-name" }, player.full_name, player.user_id === room.host_user_id ? " (host)" : "", player.user_id === me.id ? " (you)" : ""),
    h("span", { class: `ready ${player.ready ? "yes" : "no"}` }, player.ready ? "Ready" : "Not ready"),
    ctx.isHost && player.user_id !== me.id
      ? h("button", { type: "button", class: "link danger", onclick: (e) => busy(e.target, "Kicking…", () => ctx.actions.kick(player.user_id)) }, `Kick ${player.full_name}`)
      : null));
  const free = Math.max(0, room.max_players - room.players.length);
  const empty = Array.from({ length: Math.min(free, 4) }, () => h("li", { class: "seat empty muted" }, "Waiting for a player…"));
  return h("ul", { class: "seats" }, seats, empty, free > 4 ? h("li", { class: "muted" }, `…${free - 4} more free seats`) : null);
}

function controls(ctx) {
  const { room, me } = ctx;
  const mine = room.players.find((p) => p.user_id === me.id);
  const allReady = room.players.length > 0 && room.players.every((p) => p.ready);
  return h("div", { class: "actions" },
    mine ? h("button", { type: "button", class: mine.ready ? "secondary" : "primary",
      onclick: (e) => busy(e.target, "…", () => ctx.actions.ready(!mine.ready)) }, mine.ready ? "I'm not ready" : "I'm ready") : null,
    ctx.isHost ? h("button", { type: "button", class: "primary", disabled: !room.players.length,
      onclick: (e) => busy(e.target, "Starting…", () => ctx.actions.start()) }, "Start the game") : null,
    ctx.isHost && !allReady && room.players.length ? h("span", { class: "muted small" }, "Not everyone is ready yet.") : null,
    !ctx.isHost && mine ? h("span", { class: "muted small" }, "The host starts the game.") : null,
    h("button", { type: "button", class: "link", onclick: (e) => busy(e.target, "Leaving…", () => ctx.actions.leave()) }, "Leave room"));
}

export function lobbyView(ctx, scope) {
  const seats = h("div");
  const actions = h("div");
  const element = h("div", { class: "two-columns" },
    h("div", { class: "main-column" },
      h("section", { class: "card" }, h("h2", {}, "Players"), seats, actions),
      h("section", { class: "card" }, h("h2", {}, "Challenges"),
        h("ol", {}, ctx.room.challenge_ids.map((id) => h("li", {}, ctx.challengeName(id)))),
        h("p", { class: "muted small" }, `Duration ${formatClock(ctx.room.duration_s * 1000)}`,
          ctx.room.freeze_last_s ? ` · standings freeze for the last ${ctx.room.freeze_last_s} s` : ""))),
    h("aside", { class: "side-column" }, shareBox(ctx.room),
      h("section", { class: "card" }, h("h2", {}, "News"), ctx.isHost ? announceForm(ctx) : null, ctx.feed.element(scope))));
  return {
    element,
    update() {
      replace(seats, seatList(ctx), ctx.room.spectators.length ? h("p", { class: "muted small" }, `${ctx.room.spectators.length} watching`) : null);
      replace(actions, controls(ctx));
    },
  };
}
