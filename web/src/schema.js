// Table and column names from a challenge's `init` DDL, for the editor's autocompletion.
// A small tolerant parser, not a SQL grammar: it only needs CREATE TABLE names and the
// first word of each column definition.

const CONSTRAINT_WORDS = new Set(["primary", "foreign", "unique", "check", "constraint", "exclude", "key", "index"]);
const CREATE_TABLE = /create\s+(?:(?:global\s+|local\s+)?(?:temporary|temp|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?((?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?)\s*\(/gi;

function unquote(name) {
  return name.replace(/\s+/g, "").replace(/"/g, "");
}

/** The text between the parenthesis at `open` and its match. */
function parenthesised(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "(") depth += 1;
    else if (text[i] === ")" && --depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

/** Splits on commas outside parentheses (`NUMERIC(10, 2)` stays whole). */
function topLevelItems(body) {
  const items = [];
  let depth = 0;
  let current = "";
  for (const char of body) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      items.push(current);
      current = "";
    } else current += char;
  }
  items.push(current);
  return items;
}

/** `{ "employees": ["id", "name", …], "cd.members": […] }` — the shape @codemirror/lang-sql takes. */
export function schemaFromDdl(ddl) {
  const schema = {};
  const text = String(ddl || "").replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const match of text.matchAll(CREATE_TABLE)) {
    const body = parenthesised(text, match.index + match[0].length - 1);
    const columns = topLevelItems(body)
      .map((item) => item.trim().match(/^("[^"]+"|[\w$]+)/)?.[1])
      .filter((word) => word && !CONSTRAINT_WORDS.has(word.toLowerCase()))
      .map(unquote);
    schema[unquote(match[1])] = columns;
  }
  return schema;
}

const NAME = String.raw`(?:"[^"]+"|[\w$]+)`;
const TABLE_REF = new RegExp(String.raw`(?:\bfrom|\bjoin|,)\s+(${NAME}(?:\s*\.\s*${NAME})?)(?:\s+as)?\s+(${NAME})`, "gi");
const NOT_ALIASES = new Set(["where", "on", "using", "join", "inner", "left", "right", "full", "outer", "cross", "natural",
  "group", "order", "having", "limit", "offset", "window", "union", "except", "intersect", "as", "select", "from", "and", "or", "lateral"]);

/**
 * `{ alias: table }` for every `FROM t a`, `JOIN t AS a` and `, t a` anywhere in `text` whose table is in
 * `schema` (so a select list's `a, b c` is not taken for one). Read from the text, not a parse tree, so an
 * alias counts as soon as it is typed, whatever else in the query is unfinished.
 */
export function aliasesIn(text, schema) {
  const tables = new Map(Object.keys(schema).map((name) => [name.toLowerCase(), name]));
  const aliases = {};
  const clean = String(text || "").replace(/--[^\n]*/g, " ").replace(/'(?:[^']|'')*'/g, "''");
  for (const match of clean.matchAll(TABLE_REF)) {
    const table = tables.get(unquote(match[1]).toLowerCase());
    const alias = unquote(match[2]);
    if (table && !NOT_ALIASES.has(alias.toLowerCase())) aliases[alias.toLowerCase()] = table;
  }
  return aliases;
}

/** The columns `alias.` stands for in `text` (an alias, or a table's own name), or null. */
export function columnsForQualifier(text, schema, qualifier) {
  const name = unquote(qualifier).toLowerCase();
  const table = aliasesIn(text, schema)[name] || Object.keys(schema).find((t) => t.toLowerCase() === name);
  return table ? schema[table] : null;
}
