// Save errors shown where they belong: the API's message names the field it is about
// ('name', 'tags', "test case 2: …", "solution: …"); anything else goes to the top of the form.
import { h, replace } from "../../dom.js";
import { errorText } from "../../notices.js";

const FORM_FIELDS = new Set(["name", "description", "type", "engine", "init", "solution", "time_limit_ms",
  "check_column_names", "visibility", "release_at", "difficulty", "tags", "hints", "explanation", "test_cases"]);
const TEST_CASE_FIELDS = new Set(["data", "is_visible"]);

/** The form field an error is about (`test_case_2` for the second test case), or null for the top. */
export function fieldForError(message, status) {
  const text = String(message || "");
  if (status === 403 && /draft/i.test(text)) return "visibility";
  const testCase = text.match(/^test case (\d+):\s*(init|test data|the solution failed)?/i);
  if (testCase) {
    if (testCase[2] === "init") return "init";
    if (testCase[2] === "the solution failed") return "solution";
    return `test_case_${testCase[1]}`;
  }
  if (/^solution:/i.test(text)) return "solution";
  const quoted = text.match(/'(\w+)'/)?.[1];
  if (FORM_FIELDS.has(quoted)) return quoted;
  if (TEST_CASE_FIELDS.has(quoted) || /test case/i.test(text)) return "test_cases";
  if (/\bengine\b/i.test(text)) return "engine";
  return null;
}

/** errorSlots() → {top, slot(key), show(error), clear()}: one message element per field. */
export function errorSlots() {
  const slots = new Map();
  const top = h("div", { class: "form-error", role: "alert", hidden: true });
  const make = (key) => {
    const node = h("p", { class: "field-error", id: `error-${key}`, role: "alert", hidden: true, dataset: { errorFor: key } });
    slots.set(key, node);
    return node;
  };
  const clear = () => {
    for (const node of [top, ...slots.values()]) {
      node.hidden = true;
      replace(node);
      node.closest(".has-error")?.classList.remove("has-error");
    }
  };
  return {
    top,
    /** A fresh message element for `key` (a field that re-renders asks again). */
    slot: make,
    show(error) {
      clear();
      const key = fieldForError(errorText(error), error?.status);
      const target = (key && slots.get(key)?.isConnected && slots.get(key)) || top;
      replace(target, errorText(error));
      target.hidden = false;
      target.closest(".form-field")?.classList.add("has-error");
      target.scrollIntoView({ block: "center" });
      return key;
    },
    clear,
  };
}
