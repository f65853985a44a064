// Export as YAML (fetched with the token, see download.js).
import { h } from "../../dom.js";
import { busy } from "../../notices.js";
import { downloadFile } from "../../download.js";

function exportYaml(query) {
  return downloadFile(`/challenges/export?${query}&format=yaml`, "application/yaml", "problem-set.yaml");
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
