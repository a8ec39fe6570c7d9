// Templates that escape by default. `html` is a tag for template literals: every
// interpolated value is escaped as text unless it is itself a template result (a nested
// `html`…``) or wrapped in `raw()`. Arrays are joined with nothing between them, null
// and undefined give nothing, anything else (numbers, booleans) is written as text.
// The modules put markup into the page only through `render` and `renderChanged`
// (which escape a plain string too), and into Leaflet as `String(html`…`)`.

/** Markup that is known to be safe (made by `html`, `join` or `raw`). */
class Html {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for markup and attribute values (quoted with " or '). */
export function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A value as markup: safe markup as it is, an array item by item, the rest escaped. */
function markup(value) {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(markup).join("");
  if (value === null || value === undefined) return "";
  return escape(value);
}

/** The tag: html`<td>${value}</td>` escapes `value` (see the top of this file). */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => {
    out += markup(value) + strings[i + 1];
  });
  return new Html(out);
}

/** Trusted markup written as it is: only for text that never comes from the API. */
export const raw = (text) => new Html(String(text));

/** Items (markup or text, text escaped) with `separator` (text, escaped) between them. */
export function join(items, separator = "") {
  return new Html(items.map(markup).join(escape(separator)));
}

/** Replace the content of `el` (markup, or text that is escaped). */
export function render(el, content) {
  el.innerHTML = markup(content);
}

/** As `render`, only when the markup changed: keeps focus and scroll on refreshes. */
export function renderChanged(el, content) {
  const text = markup(content);
  if (el.dataset.html === text) return;
  el.innerHTML = text;
  el.dataset.html = text;
}
