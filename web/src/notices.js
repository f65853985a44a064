// Messages to the user: an error/info banner under the header (role="alert"), and
// short-lived toasts for live news (announcements, first solves).
import { h, replace } from "./dom.js";

const banner = () => document.getElementById("banner");
const toasts = () => document.getElementById("toasts");

export function errorText(error) {
  return error?.message || String(error || "Something went wrong.");
}

export function showError(error) {
  show(errorText(error), "error");
}

export function showInfo(text) {
  show(text, "info");
}

function show(text, kind) {
  replace(
    banner(),
    h("div", { class: `banner banner-${kind}`, role: kind === "error" ? "alert" : "status" },
      h("span", { class: "banner-text" }, text),
      h("button", { class: "link", "aria-label": "Dismiss", onclick: clearBanner }, "×")),
  );
}

export function clearBanner() {
  replace(banner());
}

let flash = null;

/** An info message for the page we are about to navigate to (navigating clears the banner). */
export function flashInfo(text) {
  flash = text;
}

/** Called by the router for each new page: clears the old banner, shows a pending flash. */
export function bannerForNewPage() {
  clearBanner();
  if (flash) showInfo(flash);
  flash = null;
}

export function toast(text, kind = "info") {
  const node = h("div", { class: `toast toast-${kind}`, role: "status" }, text);
  toasts().append(node);
  setTimeout(() => node.remove(), 6000);
}

/** Runs `action` with `button` disabled (no double submits on a slow line); errors go to the banner. */
export async function busy(button, label, action) {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await action();
  } catch (error) {
    showError(error);
    return undefined;
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}
