// Markdown for challenge descriptions: `marked` turns it into HTML, DOMPurify removes anything
// executable (scripts, event handlers, javascript: links) before it becomes DOM nodes.
import DOMPurify from "dompurify";
import { marked } from "marked";

marked.use({ gfm: true, breaks: false });

/** A sanitized DocumentFragment for `text`; never inserts unsanitized HTML. */
export function renderMarkdown(text) {
  const html = marked.parse(String(text || ""), { async: false });
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ["style", "form", "input"] });
}
