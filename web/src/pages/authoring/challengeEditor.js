// The challenge editor page: new, edit, or duplicate (#/my-challenges/new?from=ID). Saving sends the
// whole form; an error is shown next to the field it names and nothing typed is lost.
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { flashInfo } from "../../notices.js";
import { navigate } from "../../router.js";
import { challengeForm } from "./challengeForm.js";
import { errorSlots } from "./fieldErrors.js";
import { playerPreview } from "./playerPreview.js";

const BLANK = {
  name: "", description: "", engine: "sqlite", type: "FE", time_limit_ms: 2000, visibility: "draft",
  init: "", solution: "", test_cases: [{ data: "", is_visible: true }], hints: [], tags: [],
};

/** A copy to save as a new challenge: same content, a new name, kept as a draft until published. */
function duplicateOf(challenge) {
  return { ...challenge, id: undefined, name: `Copy of ${challenge.name}`.slice(0, 200), visibility: "draft" };
}

async function loadSource(id, query) {
  if (id) return api.get(`/challenges/${Number(id)}`);
  const from = query.get("from");
  return from ? duplicateOf(await api.get(`/challenges/${Number(from)}`)) : BLANK;
}

/** Edit | Preview tabs → {element, select(preview)}; `onSelect(preview)` shows the chosen panel. */
function tabs(onSelect) {
  const select = (preview) => {
    buttons.forEach((button, index) => {
      button.classList.toggle("active", Boolean(index) === preview);
      button.setAttribute("aria-selected", String(Boolean(index) === preview));
    });
    onSelect(preview);
  };
  const buttons = ["Edit", "Preview as a player"].map((label, index) =>
    h("button", { type: "button", class: "tab", role: "tab", onclick: () => select(Boolean(index)) }, label));
  return { element: h("div", { class: "tabs", role: "tablist" }, buttons), select };
}

export async function challengeEditorPage(root, { id, query }, scope) {
  const source = await loadSource(id, query);
  const errors = errorSlots();
  const form = challengeForm(source, { scope, errors });
  const previewHost = h("div", { class: "preview-host", hidden: true });
  const status = h("span", { class: "muted small", role: "status" });
  const save = h("button", { type: "button", class: "primary" }, id ? "Save changes" : "Create challenge");

  const tabBar = tabs((on) => {
    form.element.hidden = on;
    previewHost.hidden = !on;
    if (on) replace(previewHost, playerPreview({ ...source, ...form.read() }));
  });
  tabBar.select(false);

  save.addEventListener("click", async () => {
    if (save.disabled) return;
    save.disabled = true;
    errors.clear();
    replace(status, "Saving… (the server checks the SQL on the engine)");
    try {
      const body = form.read();
      const saved = id ? await api.put(`/challenges/${Number(id)}`, body) : await api.post("/challenges", body);
      flashInfo(`Saved "${saved.name}" (${saved.visibility}).`);
      navigate(`/my-challenges/${saved.id}/edit`);
    } catch (error) {
      replace(status);
      tabBar.select(false);
      if (error.status === 403 && /draft/i.test(error.message)) form.lockToDraft(error.message);
      errors.show(error);
    } finally {
      save.disabled = false;
    }
  });

  root.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, id ? `Edit: ${source.name}` : "New challenge"),
      h("a", { href: "#/my-challenges" }, "← My challenges"),
      id ? h("a", { href: `#/challenges/${Number(id)}` }, "Open the challenge page") : null),
    tabBar.element,
    form.element,
    previewHost,
    h("div", { class: "actions save-bar" }, save, status));
}
