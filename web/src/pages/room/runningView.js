// The game: clock, the room's challenges (with an editor each for players), live
// standings, news, and the host's controls. Editors are built once per challenge and only
// hidden when another tab is chosen, so drafts and live attempts survive tab switches.
import { h, replace } from "../../dom.js";
import { formatClock, msUntil } from "../../clock.js";
import { busy } from "../../notices.js";
import { challengeBadges, challengeBrief } from "../../components/challengeInfo.js";
import { solvePanel } from "../../components/solvePanel.js";
import { announceForm } from "./hostControls.js";
import { standingsTable } from "./standingsTable.js";

/** Whether the standings freeze has begun: computed from the server-synced clock, since the
 * server announces no event at that moment. */
function isFrozen(room) {
  return Boolean(room.frozen || (room.freeze_last_s && room.ends_at && msUntil(room.ends_at) <= room.freeze_last_s * 1000));
}

function clock(ctx, scope, onTick) {
  const node = h("p", { class: "clock", role: "timer", "aria-label": "Time left" });
  const tick = () => {
    replace(node, "Time left ", h("strong", {}, formatClock(msUntil(ctx.room.ends_at))));
    onTick();
  };
  scope.interval(tick, 250);
  tick();
  return node;
}

function hostBar(ctx) {
  return h("section", { class: "card host-bar", "aria-label": "Host controls" },
    h("h2", {}, "Host"),
    announceForm(ctx),
    h("button", { type: "button", class: "danger", onclick: (e) => {
      if (window.confirm("End the game now for everyone?")) busy(e.target, "Ending…", () => ctx.actions.end());
    } }, "End the game now"));
}

function challengeTabs(ctx, scope, playing) {
  const tabs = h("div", { class: "tabs", role: "tablist" });
  const panels = h("div", { class: "tab-panels" });
  const built = new Map();
  let selected = ctx.room.challenge_ids[0];

  const panelFor = (id) => {
    if (!built.has(id)) {
      const challenge = ctx.challenges.get(id);
      const panel = h("div", { role: "tabpanel", class: "tab-panel", dataset: { challengeId: id } },
        h("h2", {}, challenge.name, " ", challengeBadges(challenge)),
        challengeBrief(challenge, { compact: playing }),
        playing ? solvePanel({ challenge, roomId: ctx.room.id, scope }) : null);
      built.set(id, panel);
      panels.append(panel);
    }
    return built.get(id);
  };
  const render = () => {
    const mine = ctx.room.standings.find((row) => row.user_id === ctx.me.id);
    replace(tabs, ctx.room.challenge_ids.map((id, i) => {
      const score = mine?.per_challenge?.[id] ?? mine?.per_challenge?.[String(id)];
      return h("button", { type: "button", role: "tab", "aria-selected": String(id === selected), class: id === selected ? "tab active" : "tab",
        onclick: () => { selected = id; render(); } },
      `C${i + 1} · ${ctx.challengeName(id)}`, playing ? h("span", { class: "tab-score" }, ` ${score ?? 0}`) : null);
    }));
    panelFor(selected);
    built.forEach((panel, id) => { panel.hidden = id !== selected; });
  };
  render();
  return { element: h("div", {}, tabs, panels), update: render };
}

export function runningView(ctx, scope) {
  const mySeat = ctx.room.players.find((p) => p.user_id === ctx.me.id);
  const playing = Boolean(mySeat && !mySeat.forfeited);
  const challenges = challengeTabs(ctx, scope, playing);
  const standings = h("div");
  const frozen = h("div");
  const role = mySeat?.forfeited
    ? h("p", { class: "banner banner-error" }, "You were away too long and forfeited this duel; you can still watch.")
    : !playing ? h("p", { class: "muted" }, ctx.isHost ? "You are hosting (not playing)." : "You are watching this game.") : null;

  let frozenShown = null;
  const showFrozen = () => {
    const frozenNow = isFrozen(ctx.room);
    if (frozenNow === frozenShown) return;
    frozenShown = frozenNow;
    replace(frozen, frozenNow
      ? h("p", { class: "banner banner-info" }, ctx.isHost ? "Standings are frozen for players; you see them live." : "Standings are frozen until the end.")
      : null);
  };

  return {
    element: h("div", { class: "two-columns running" },
      h("div", { class: "main-column" }, role, challenges.element),
      h("aside", { class: "side-column" },
        clock(ctx, scope, showFrozen),
        h("section", { class: "card" }, h("h2", {}, "Live standings"), frozen, standings),
        ctx.isHost ? hostBar(ctx) : null,
        h("section", { class: "card" }, h("h2", {}, "News"), ctx.feed.element(scope)))),
    update() {
      challenges.update();
      showFrozen();
      replace(standings, standingsTable(ctx, ctx.room.standings));
    },
  };
}
