// Accessible tabs over panels that stay in the DOM (only hidden), so editors and drafts survive
// a tab switch. tabs([{id, label, panel}], {onSelect}) → {element, select(id), setLabel(id, label)}.
import { h } from "../dom.js";

export function tabs(items, { onSelect = () => {} } = {}) {
  const buttons = new Map();
  const select = (id) => {
    for (const item of items) {
      const active = item.id === id;
      buttons.get(item.id).setAttribute("aria-selected", String(active));
      buttons.get(item.id).className = active ? "tab active" : "tab";
      item.panel.hidden = !active;
    }
    onSelect(id);
  };
  for (const item of items) {
    buttons.set(item.id, h("button", { type: "button", role: "tab", id: `tab-${item.id}`, "aria-controls": `panel-${item.id}`,
      onclick: () => select(item.id) }, item.label));
    item.panel.setAttribute("role", "tabpanel");
    item.panel.id = `panel-${item.id}`;
    item.panel.setAttribute("aria-labelledby", `tab-${item.id}`);
  }
  select(items[0].id);
  return {
    element: h("div", {}, h("div", { class: "tabs", role: "tablist" }, [...buttons.values()]), items.map((item) => item.panel)),
    select,
    setLabel: (id, label) => { buttons.get(id).textContent = label; },
  };
}
