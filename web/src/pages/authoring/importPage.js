// Import a problem set (JSON or YAML file): a dry run first, showing either how many challenges
// are valid or, per invalid one, its number, name and the server's message; then the real import.
import { api } from "../../api.js";
import { h, replace } from "../../dom.js";
import { busy, errorText } from "../../notices.js";

function upload(file, dryRun) {
  const form = new FormData();
  form.append("file", file);
  return api.upload(`/challenges/import${dryRun ? "?dry_run=true" : ""}`, form);
}

function errorsTable(errors) {
  return h("table", { class: "data import-errors" },
    h("thead", {}, h("tr", {}, ["#", "Challenge", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, errors.map(({ index, name, message }) =>
      h("tr", {}, h("td", {}, String(index + 1)), h("td", {}, name || h("span", { class: "muted" }, "(no name)")), h("td", {}, message)))));
}

function plural(count) {
  return `${count} challenge${count === 1 ? "" : "s"}`;
}

export function importPage(root) {
  const input = h("input", { type: "file", name: "file", accept: ".yaml,.yml,.json,application/json,application/yaml" });
  const check = h("button", { type: "button", class: "primary" }, "Check file");
  const report = h("div", { class: "import-report", "aria-live": "polite" });
  input.addEventListener("change", () => replace(report));

  const commit = (file, count) => {
    const button = h("button", { type: "button", class: "primary" }, `Import ${plural(count)}`);
    button.addEventListener("click", () => busy(button, "Importing…", async () => {
      const { created } = await upload(file, false);
      replace(report, h("p", { class: "import-ok", role: "status" }, `Imported ${plural(created.length)}. `,
        h("a", { href: "#/my-challenges" }, "See them in My challenges")));
    }));
    return button;
  };

  check.addEventListener("click", () => busy(check, "Checking…", async () => {
    const file = input.files[0];
    if (!file) {
      replace(report, h("p", { class: "error-text", role: "alert" }, "Choose a problem-set file first."));
      return;
    }
    replace(report, h("p", { class: "muted" }, `Checking ${file.name} on the engines…`));
    try {
      const { validated } = await upload(file, true);
      replace(report, h("p", { class: "import-ok", role: "status" }, `All ${plural(validated)} in ${file.name} are valid. Nothing is stored yet.`),
        commit(file, validated));
    } catch (error) {
      replace(report, h("p", { class: "error-text", role: "alert" }, errorText(error)),
        error.errors?.length ? errorsTable(error.errors) : null);
    }
  }));

  root.append(
    h("div", { class: "page-head" }, h("h1", { tabindex: "-1" }, "Import a problem set"), h("a", { href: "#/my-challenges" }, "← My challenges")),
    h("section", { class: "card" },
      h("p", {}, "A problem set is one JSON or YAML document: ", h("code", {}, "format: sqlarena-problem-set/1"),
        ", then ", h("code", {}, "challenges:"), " with each challenge's fields. Every challenge is checked as if created one by one; if any is invalid nothing is imported."),
      h("label", { class: "field" }, h("span", {}, "Problem set file (JSON or YAML)"), input),
      h("div", { class: "actions" }, check),
      report));
}
