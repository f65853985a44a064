// The editor's keys as the buttons' titles and the hint line name them, kept apart from
// editor.js so pages can show them before CodeMirror (loaded on demand) arrives.

const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const MOD = MAC ? "⌘" : "Ctrl";
/** LeetCode's keys: Mod-Enter submits, Mod-' runs. */
export const SHORTCUTS = { run: `${MOD}+'`, submit: `${MOD}+Enter` };
