// Server-timed clocks: every room payload carries `server_time`; we keep the offset
// between it and the local clock so countdowns agree across players whatever their clock says.

let offsetMs = 0;

export function syncServerTime(serverTimeIso) {
  const serverMs = Date.parse(serverTimeIso);
  if (!Number.isNaN(serverMs)) offsetMs = serverMs - Date.now();
}

export function serverNow() {
  return Date.now() + offsetMs;
}

/** Milliseconds from the server's now until `iso` (negative once passed). */
export function msUntil(iso) {
  return Date.parse(iso) - serverNow();
}

/** 75 000 → "1:15", 3 725 000 → "1:02:05". */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatDateTime(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleString();
}
