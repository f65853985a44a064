// Files the API serves need the token, so a plain link cannot fetch them: the file is fetched with it
// and handed to the browser as an object URL behind a temporary download link.
import { api } from "./api.js";
import { h } from "./dom.js";

export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Fetches `path` as `accept` and saves it under the server's file name (or `fallbackName`). */
export async function downloadFile(path, accept, fallbackName) {
  const { blob, filename } = await api.download(path, accept);
  saveBlob(blob, filename === "download" ? fallbackName : filename);
}
