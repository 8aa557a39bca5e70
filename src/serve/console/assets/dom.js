// Building the page's elements. Everything shown comes from the server (flow names, events,
// stores), so it is always set as text (`textContent`), never parsed as HTML.

/** The element with this id (the page's fixed parts; see index.html). */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * A new element: `el("li", {class: "x", "aria-label": "y"}, "text", child)`. Attributes are set
 * with setAttribute, children are nodes or strings (as text).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** Empty `node`. */
export function clear(node) {
  node.replaceChildren();
}

/** A store or any JSON value, for a `<pre>`. */
export function pretty(value) {
  try {
    return JSON.stringify(value, null, 2) ?? "undefined";
  } catch {
    return String(value);
  }
}

/** A Unix-milliseconds time as the local time of day. */
export function clock(ms) {
  if (typeof ms !== "number") return "";
  return new Date(ms).toLocaleTimeString([], { hour12: false });
}
