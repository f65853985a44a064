// Small building blocks of the authoring forms: a labelled field with its error slot, a select,
// a SQL editor field, and conversions between ISO times and <input type="datetime-local">.
import { h } from "../../dom.js";
import { createSqlField } from "../../editor.js";

/** A labelled field; `key` ties it to the API's field name for inline errors. */
export function formField(key, label, control, errors, note = null) {
  const error = errors.slot(key);
  const native = control.matches("input, select, textarea"); // else a composite (SQL editor, list)
  if (native) control.setAttribute("aria-describedby", error.id);
  return h(native ? "label" : "div", { class: "field form-field", dataset: { field: key } },
    h("span", {}, label), control, note ? h("small", { class: "muted" }, note) : null, error);
}

/** <select> from [[value, label], …] with `value` chosen. */
export function selectBox(name, options, value) {
  return h("select", { name }, options.map(([optionValue, label]) =>
    h("option", { value: optionValue, selected: optionValue === (value ?? "") }, label)));
}

/** A SQL editor in a bordered box; destroyed with the page's scope. */
export function sqlBox(scope, { doc, engine, init, label }) {
  const host = h("div", { class: "editor sql-field" });
  const editor = createSqlField(host, { doc, engine, init, label });
  let destroyed = false;
  const destroy = () => {
    if (!destroyed) editor.destroy();
    destroyed = true;
  };
  scope.add(destroy);
  return { element: host, getValue: editor.getValue, destroy };
}

/** "2030-01-01T09:00:00Z" → "2030-01-01T10:00" in the browser's time zone (what datetime-local shows). */
export function isoToLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

/** The datetime-local value (local time) as ISO 8601 UTC, or null when empty. */
export function localInputToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** "1 Jan 2030, 10:00" in the browser's locale and time zone. */
export function formatWhen(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "—";
}
