// Sign in and register. After registering we sign in at once with the same password.
import { publicApi } from "../api.js";
import { h } from "../dom.js";
import { navigate } from "../router.js";
import { busy, showError } from "../notices.js";
import { saveSession } from "../session.js";

/** A required labelled input (the sign-in, register and password forms). */
export function field(label, attrs) {
  return h("label", { class: "field" }, h("span", {}, label), h("input", { required: true, ...attrs }));
}

function afterSignIn(query) {
  const next = query.get("next");
  navigate(next && next.startsWith("/") && !next.startsWith("/login") ? next : "/challenges");
}

async function signIn(email, password, query) {
  saveSession(await publicApi.post("/login", { email, password }));
  afterSignIn(query);
}

function authForm(title, fields, submitLabel, onSubmit, footer) {
  const button = h("button", { type: "submit", class: "primary" }, submitLabel);
  const form = h("form", { class: "card narrow", novalidate: true },
    h("h1", { tabindex: "-1" }, title), fields, button, footer);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const empty = fields.find((label) => !label.querySelector("input").value.trim());
    if (empty) {
      showError(`Please fill in "${empty.querySelector("span").textContent}".`);
      empty.querySelector("input").focus();
      return;
    }
    busy(button, "Please wait…", () => onSubmit(values));
  });
  return form;
}

export function loginPage(root, { query }) {
  const form = authForm("Sign in", [
    field("E-mail", { name: "email", type: "email", autocomplete: "username" }),
    field("Password", { name: "password", type: "password", autocomplete: "current-password" }),
  ], "Sign in", ({ email, password }) => signIn(email.trim(), password, query),
  h("p", {}, "New here? ", h("a", { href: `#/register${location.hash.includes("?") ? `?${query}` : ""}` }, "Create an account")));
  root.append(form);
  form.querySelector("input").focus();
}

export function registerPage(root, { query }) {
  const form = authForm("Create an account", [
    field("Full name", { name: "full_name", autocomplete: "name" }),
    field("E-mail", { name: "email", type: "email", autocomplete: "username" }),
    field("Password", { name: "password", type: "password", autocomplete: "new-password" }),
  ], "Register", async ({ full_name, email, password }) => {
    await publicApi.post("/register", { full_name: full_name.trim(), email: email.trim(), password });
    await signIn(email.trim(), password, query);
  }, h("p", {}, "Already registered? ", h("a", { href: "#/login" }, "Sign in")));
  root.append(form);
  form.querySelector("input").focus();
}

