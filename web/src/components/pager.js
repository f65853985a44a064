// "Previous / page N of M / Next" for paginated lists ({total, page, size} meta).
import { h } from "../dom.js";

export function pager(meta, goTo) {
  const pages = Math.max(1, Math.ceil(meta.total / meta.size));
  if (pages <= 1) return ""; // nothing to show (append() would print null)
  return h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "secondary", disabled: meta.page <= 0, onclick: () => goTo(meta.page - 1) }, "← Previous"),
    h("span", {}, `Page ${meta.page + 1} of ${pages}`),
    h("button", { type: "button", class: "secondary", disabled: meta.page >= pages - 1, onclick: () => goTo(meta.page + 1) }, "Next →"));
}
