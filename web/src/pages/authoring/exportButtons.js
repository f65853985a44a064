// Export as YAML: the API needs the token, so the file is fetched with it and handed to the
// browser as an object URL behind a temporary download link.
import { api } from "../../api.js";
import { h } from "../../dom.js";
import { busy } from "../../notices.js";

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function exportYaml(query) {
  const { blob } = await api.download(`/challenges/export?${query}&format=yaml`, "application/yaml");
  saveBlob(blob, "problem-set.yaml");
}

/** "Export selected" (the ids `selectedIds()` returns) and "Export all mine" buttons. */
export function exportButtons(userId, selectedIds) {
  const selected = h("button", { type: "button", class: "secondary" }, "Export selected (YAML)");
  const all = h("button", { type: "button", class: "secondary" }, "Export all mine (YAML)");
  selected.addEventListener("click", () => busy(selected, "Exporting…", () => {
    const ids = selectedIds();
    if (!ids.length) throw new Error("Tick the challenges to export first (or export all of yours).");
    return exportYaml(`ids=${ids.join(",")}`);
  }));
  all.addEventListener("click", () => busy(all, "Exporting…", () => exportYaml(`created_by=${userId}`)));
  return [selected, all];
}
