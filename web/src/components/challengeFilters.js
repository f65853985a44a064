// The challenge list's filter bar: search (as you type, debounced), difficulty, tag and solved.
// It edits `state` in place and calls `onChange()`; the list page does the loading.
import { h, replace } from "../dom.js";
import { DIFFICULTY_LABELS } from "./challengeInfo.js";

const TYPING_PAUSE_MS = 300;

function field(label, control) {
  return h("label", { class: "field" }, h("span", {}, label), control);
}

function select(value, options, onchange) {
  return h("select", { onchange }, options.map(([optionValue, label]) =>
    h("option", { value: optionValue, selected: optionValue === value }, label)));
}

/** challengeFilters(state, scope, onChange) → {element, knowTags(tags)}. */
export function challengeFilters(state, scope, onChange) {
  let typingTimer = null;
  scope.add(() => clearTimeout(typingTimer));
  const knownTags = new Set(state.tag ? [state.tag] : []);
  const tagOptions = h("datalist", { id: "known-tags" });

  const set = (name, value) => {
    if (state[name] === value) return;
    state[name] = value;
    onChange();
  };
  // Both text boxes are read when typing pauses, so quick edits to both are never lost.
  const readText = () => {
    clearTimeout(typingTimer);
    const changed = state.q !== search.value.trim() || state.tag !== tag.value.trim();
    state.q = search.value.trim();
    state.tag = tag.value.trim();
    return changed;
  };
  const typed = () => {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => readText() && onChange(), TYPING_PAUSE_MS);
  };
  const search = h("input", { type: "search", value: state.q, placeholder: "name or description", oninput: typed });
  const tag = h("input", { type: "search", value: state.tag, list: "known-tags", placeholder: "e.g. joins", oninput: typed });

  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter challenges", onsubmit: (event) => {
    event.preventDefault();
    readText();
    onChange();
  } },
  field("Search", search),
  field("Difficulty", select(state.difficulty,
    [["", "Any"], ...Object.entries(DIFFICULTY_LABELS)], (event) => set("difficulty", event.target.value))),
  field("Tag", tag),
  field("Status", select(state.solved,
    [["", "Any"], ["true", "Solved"], ["false", "Not solved"]], (event) => set("solved", event.target.value))),
  tagOptions,
  h("button", { type: "submit", class: "secondary" }, "Search"));

  return {
    element: form,
    knowTags(tags) {
      tags.forEach((name) => knownTags.add(name));
      replace(tagOptions, [...knownTags].sort().map((name) => h("option", { value: name })));
    },
  };
}
