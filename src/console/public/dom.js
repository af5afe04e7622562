// Small DOM helpers. Everything is built with createElement/textContent, never
// innerHTML, so data from the API can never become markup or script.

/**
 * h('a', { href: '#/x', class: 'link', onclick: fn }, 'text', child)
 * Attributes: `class`, `text`, `on<event>` handlers, booleans (true → present,
 * false/null/undefined → absent), everything else via setAttribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (name === 'text') el.textContent = String(value);
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) el.value = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'id') {
  return `${prefix}-${++idCounter}`;
}

/** A labelled form field; returns { wrapper, control }. */
export function field(labelText, control, hint) {
  if (!control.id) control.id = uid('f');
  const hintEl = hint ? h('span', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const wrapper = h('div', { class: 'field' }, h('label', { for: control.id }, labelText), control, hintEl);
  return { wrapper, control };
}

export function select(name, options, selected) {
  return h(
    'select',
    { name },
    options.map(([value, text]) => h('option', { value, selected: value === selected }, text)),
  );
}

/** A table inside a keyboard-scrollable region (WCAG 2.1.1: scrollable regions need focus). */
export function table(caption, headers, rows, options = {}) {
  const t = h(
    'table',
    { class: options.class },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((header) => h('th', { scope: 'col' }, header)),
      ),
    ),
    h('tbody', {}, rows),
  );
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption }, t);
}

export function definitionList(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([term, description]) => [h('dt', {}, term), h('dd', {}, description ?? '—')]),
  );
}

/** Saves a Blob under a file name through a temporary object URL (the bearer token stays in fetch). */
export function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName, class: 'visually-hidden' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
