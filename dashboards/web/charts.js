// Tiny DOM helpers and inline-SVG bar charts. No innerHTML anywhere: API values are always text nodes.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an element: h('td', { class: 'num' }, '12'). Attributes starting with "on" are listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** One horizontal bar scaled to `max`: a track and a fill, drawn in a 100-unit wide viewBox. */
function bar(value, max) {
  const s = svg('svg', { class: 'bar-svg', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' });
  const ratio = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  // A non-zero value always shows a sliver, so "1 of 10 000" is not drawn as nothing.
  const width = value > 0 ? Math.max(ratio * 100, 1) : 0;
  s.append(svg('rect', { class: 'bar-track', x: 0, y: 0, width: 100, height: 10, rx: 2 }));
  s.append(svg('rect', { class: 'bar-fill', x: 0, y: 0, width: width.toFixed(2), height: 10, rx: 2 }));
  return s;
}

/**
 * A labelled bar list. rows: [{ key, label, value, display, sub?, tone?, describe? }]. With `onSelect` every row is a
 * button (keyboard and screen-reader operable) that reports its key; `selected` marks the pressed one.
 */
export function barList(rows, { label, max, onSelect, selected, testid } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'Nothing in this period.');
  const top = max ?? Math.max(0, ...rows.map((r) => r.value));
  const list = h('ul', { class: 'bars', 'aria-label': label, 'data-testid': testid });
  for (const r of rows) {
    const content = [
      h('span', { class: 'bar-label', title: r.label }, r.label),
      bar(r.value, top),
      h('span', { class: 'bar-value' }, r.display, r.sub ? h('small', {}, ` ${r.sub}`) : null),
    ];
    const cls = `bar-row tone-${r.tone ?? 'info'}`;
    const described = r.describe ?? `${r.label}: ${r.display}${r.sub ? ` ${r.sub}` : ''}`;
    const row = onSelect
      ? h('button', { type: 'button', class: cls, 'aria-pressed': selected === r.key ? 'true' : 'false', 'aria-label': described,
        'data-key': r.key, onclick: () => onSelect(r.key) }, ...content)
      : h('div', { class: cls, role: 'img', 'aria-label': described, 'data-key': r.key }, ...content);
    list.append(h('li', {}, row));
  }
  return list;
}

/** A table with a caption; columns: [{ label, num?, cell(row) → string | Node, cls? }]. */
export function table(rows, columns, { caption, testid, empty = 'Nothing in this period.' } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const head = h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.label)));
  const body = rows.map((r) => h('tr', {}, ...columns.map((c) => {
    const v = c.cell(r);
    return h('td', { class: [c.num ? 'num' : '', c.cls ?? ''].join(' ').trim() || undefined }, v);
  })));
  return h('table', { 'data-testid': testid }, caption ? h('caption', {}, caption) : null, h('thead', {}, head), h('tbody', {}, ...body));
}

/** Replaces the children of a container. */
export function mount(container, ...nodes) {
  container.replaceChildren(...nodes.filter(Boolean));
}
