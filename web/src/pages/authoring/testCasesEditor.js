// Test cases: each one's data (INSERTs) in a SQL editor, visible or hidden, added and removed freely.
// Hidden cases are judged but players never see their data.
import { h, replace } from "../../dom.js";
import { sqlBox } from "./formControls.js";

/** testCasesEditor(cases, {scope, errors, engine, init}) → {element, read()}. */
export function testCasesEditor(initial, { scope, errors, engine, init }) {
  let cases = initial.length ? initial.map(({ data, is_visible }) => ({ data: data ?? "", is_visible })) : [{ data: "", is_visible: true }];
  let rendered = [];
  const list = h("div", { class: "test-cases" });
  const current = () => rendered.map(({ editor, visible }) => ({ data: editor.getValue(), is_visible: visible.checked }));

  const change = (mutate) => {
    cases = current();
    mutate();
    render();
  };

  function render() {
    rendered.forEach(({ editor }) => editor.destroy());
    rendered = cases.map((tc, index) => {
      const n = index + 1;
      const editor = sqlBox(scope, { doc: tc.data, engine, init, label: `Test case ${n} data` });
      const visible = h("input", { type: "checkbox", checked: tc.is_visible });
      const remove = h("button", { type: "button", class: "link danger", disabled: cases.length === 1,
        onclick: () => change(() => cases.splice(index, 1)) }, `Remove test case ${n}`);
      const card = h("fieldset", { class: "test-case form-field", dataset: { field: `test_case_${n}` } },
        h("legend", {}, `Test case ${n}`),
        h("div", { class: "test-case-head" },
          h("label", { class: "check" }, visible, " Visible to players (hidden cases are judged, their data stays secret)"),
          remove),
        editor.element,
        errors.slot(`test_case_${n}`));
      return { editor, visible, card };
    });
    replace(list, rendered.map(({ card }) => card));
  }
  render();

  const add = h("button", { type: "button", class: "secondary", onclick: () => change(() => cases.push({ data: "", is_visible: false })) }, "Add test case");
  return {
    element: h("div", {}, list, add, errors.slot("test_cases")),
    read: current,
  };
}
