// The ordered list of hints: add, remove, move up/down. Players reveal them one at a time, in this order.
import { h, replace } from "../../dom.js";

/** hintsEditor(hints) → {element, read()}; `read` gives the non-empty hints in order. */
export function hintsEditor(initial = []) {
  let hints = [...initial];
  const list = h("ol", { class: "hints-list" });
  const current = () => [...list.querySelectorAll("textarea")].map((area) => area.value);

  const change = (mutate) => {
    hints = current();
    mutate();
    render();
  };
  const move = (index, by) => change(() => {
    const [hint] = hints.splice(index, 1);
    hints.splice(index + by, 0, hint);
  });

  function render() {
    replace(list, hints.map((text, index) => {
      const n = index + 1;
      return h("li", { class: "hint-item" },
        h("textarea", { rows: 2, "aria-label": `Hint ${n}` }, text),
        h("div", { class: "hint-buttons" },
          h("button", { type: "button", class: "secondary", "aria-label": `Move hint ${n} up`, disabled: index === 0, onclick: () => move(index, -1) }, "↑"),
          h("button", { type: "button", class: "secondary", "aria-label": `Move hint ${n} down`, disabled: index === hints.length - 1, onclick: () => move(index, 1) }, "↓"),
          h("button", { type: "button", class: "link danger", "aria-label": `Remove hint ${n}`, onclick: () => change(() => hints.splice(index, 1)) }, "Remove")));
    }));
  }
  render();

  const add = h("button", { type: "button", class: "secondary", onclick: () => {
    change(() => hints.push(""));
    list.querySelector("li:last-child textarea")?.focus();
  } }, "Add hint");
  return {
    element: h("div", { class: "hints-editor" }, list, add),
    read: () => current().map((text) => text.trim()).filter(Boolean),
  };
}
