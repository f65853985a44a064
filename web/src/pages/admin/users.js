// Admins' users page: search by name or e-mail and role, change a role, reset a password, and
// create an account (an instructor by default: players register themselves).
import { api, withQuery } from "../../api.js";
import { h, replace } from "../../dom.js";
import { formatDateTime } from "../../clock.js";
import { busy, flashInfo, showError, showInfo } from "../../notices.js";
import { navigate } from "../../router.js";
import { currentUser } from "../../session.js";
import { pager } from "../../components/pager.js";
import { field } from "../auth.js";
import "../organiser/organiser.css";

const ROLES = ["player", "instructor", "admin"];
const PAGE_SIZE = 25;

function roleSelect(name, value, attrs = {}) {
  return h("select", { name, ...attrs }, ROLES.map((role) => h("option", { value: role, selected: role === value }, role)));
}

function roleControl(user) {
  if (user.id === currentUser().id) return h("span", {}, `${user.role} (you)`);
  const select = roleSelect("role", user.role, { "aria-label": `Role of ${user.full_name}` });
  const save = h("button", { type: "button", class: "secondary" }, "Save role");
  save.addEventListener("click", () => busy(save, "Saving…", async () => {
    const updated = await api.put(`/admin/users/${user.id}/role`, { role: select.value });
    showInfo(`${updated.full_name} is now ${/^[aeiou]/.test(updated.role) ? "an" : "a"} ${updated.role}.`);
  }));
  return h("span", { class: "row-actions" }, select, " ", save);
}

function passwordReset(user) {
  const cell = h("span", { class: "row-actions" });
  const idle = () => replace(cell, h("button", { type: "button", class: "link", onclick: ask }, "Reset password"));
  const ask = () => {
    const input = h("input", { type: "password", autocomplete: "new-password", "aria-label": `New password for ${user.full_name}` });
    const set = h("button", { type: "button", class: "primary" }, "Set");
    set.addEventListener("click", () => {
      if (!input.value) return showError("Type the new password first.");
      return busy(set, "Setting…", async () => {
        await api.post(`/admin/users/${user.id}/password`, { password: input.value });
        showInfo(`New password set for ${user.full_name}; their sessions were signed out.`);
        idle();
      });
    });
    replace(cell, input, " ", set, " ", h("button", { type: "button", class: "link", onclick: idle }, "Cancel"));
    input.focus();
  };
  idle();
  return cell;
}

function userRow(user) {
  return h("tr", { dataset: { userId: user.id } },
    h("td", {}, user.full_name), h("td", {}, user.email), h("td", {}, roleControl(user)),
    h("td", {}, formatDateTime(user.created_at)), h("td", {}, passwordReset(user)));
}

function searchForm(q, role) {
  const input = h("input", { type: "search", name: "q", value: q, placeholder: "name or e-mail" });
  const form = h("form", { class: "filters", role: "search" },
    h("label", { class: "field" }, h("span", {}, "Search users"), input),
    h("label", { class: "field" }, h("span", {}, "Role"),
      h("select", { name: "role" }, h("option", { value: "" }, "Any"), ROLES.map((r) => h("option", { value: r, selected: r === role }, r)))),
    h("button", { type: "submit", class: "secondary" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    navigate(withQuery("/admin/users", { q: data.get("q").trim(), role: data.get("role") }));
  });
  return form;
}

function createForm() {
  const fields = [field("Full name", { name: "full_name" }), field("E-mail", { name: "email", type: "email" }),
    field("Password", { name: "password", type: "password", autocomplete: "new-password" })];
  const button = h("button", { type: "submit", class: "primary" }, "Create account");
  const form = h("form", { class: "card new-user", "aria-labelledby": "new-user-title", novalidate: true },
    h("h2", { id: "new-user-title" }, "Create an account"), fields,
    h("label", { class: "field" }, h("span", {}, "Role"), roleSelect("role", "instructor")), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form));
    if (!body.full_name.trim() || !body.email.trim() || !body.password) return showError("Name, e-mail and password are needed.");
    return busy(button, "Creating…", async () => {
      const user = await api.post("/admin/users", { ...body, full_name: body.full_name.trim(), email: body.email.trim() });
      flashInfo(`Created ${user.full_name} (${user.role}).`);
      navigate(withQuery("/admin/users", { q: user.email }));
    });
  });
  return form;
}

export async function usersPage(root, { query }) {
  const q = query.get("q") || "";
  const role = query.get("role") || "";
  const page = Number(query.get("page") || 0);
  const { items, meta } = await api.page(withQuery("/admin/users", { q, role, page, size: PAGE_SIZE }));
  root.append(h("h1", { tabindex: "-1" }, "Users"), searchForm(q, role),
    items.length
      ? h("table", { class: "data users" },
        h("thead", {}, h("tr", {}, ["Name", "E-mail", "Role", "Since", "Password"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, items.map(userRow)))
      : h("p", {}, "No user matches."),
    pager(meta, (next) => navigate(withQuery("/admin/users", { q, role, page: next }))),
    createForm());
}
