// The room's news: the host's announcements and first-solve notices. Kept in sessionStorage
// so a reload does not wipe what was already said (the server does not replay them).
import { h, replace } from "../../dom.js";
import { formatClock } from "../../clock.js";
import { toast } from "../../notices.js";

export function createFeed(roomId) {
  const key = `sqlarena.room-feed.${roomId}`;
  let entries = JSON.parse(sessionStorage.getItem(key) || "[]");
  const hosts = new Set();

  const render = () => hosts.forEach((host) => replace(host, entries.length
    ? h("ul", { class: "feed" }, [...entries].reverse().map((e) => h("li", { class: `feed-${e.kind}` }, e.text)))
    : h("p", { class: "muted small" }, "Announcements and first solves appear here.")));

  const add = (kind, text, seq) => {
    if (seq !== undefined && entries.some((e) => e.seq === seq)) return; // already shown (reconnect)
    entries = [...entries, { kind, text, seq }].slice(-50);
    sessionStorage.setItem(key, JSON.stringify(entries));
    toast(text, kind);
    render();
  };

  return {
    announcement: ({ text, seq }) => add("announcement", `Host: ${text}`, seq),
    firstSolve: ({ full_name, elapsed_s, seq }, challengeName) =>
      add("first-solve", `First solve: ${full_name} solved “${challengeName}” (${formatClock(elapsed_s * 1000)})`, seq),
    /** A live list of the feed, re-rendered as news arrives. */
    element(scope) {
      const host = h("div", { class: "feed-host", "aria-live": "polite" });
      hosts.add(host);
      scope.add(() => hosts.delete(host));
      render();
      return host;
    },
  };
}
