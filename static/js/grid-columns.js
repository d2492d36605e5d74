// The grid's column layout: order, widths and hidden columns, kept per user on the
// server (they follow the seller to another browser). The page renders the saved
// layout into #grid-layout; changes are posted back to the layout URL.
import { csrfToken, postForm } from "./grid-http.js";

// The title stays first: it is the frozen column (see app.css).
const FROZEN = "title";
let layout = { order: [], hidden: [], widths: {} };

function grid() {
  return document.getElementById("grid");
}

function layoutUrl() {
  return document.getElementById("column-list").dataset.layoutUrl;
}

// Every column the grid has, in the order the seller chose (unknown names dropped,
// columns the saved order lacks appended).
function columnOrder() {
  const known = [...document.querySelectorAll("[data-column-toggle]")].map((box) => box.dataset.columnToggle);
  const order = layout.order.filter((field) => known.includes(field) && field !== FROZEN);
  return [FROZEN, ...order, ...known.filter((field) => field !== FROZEN && !order.includes(field))];
}

// Put a row's field cells (or the header's columns) in the chosen order. The
// cells sit between the row's select cell and its warning cell.
function orderCells(row, selector, attribute) {
  const cells = new Map([...row.querySelectorAll(`:scope > ${selector}`)].map((cell) => [cell.getAttribute(attribute), cell]));
  if (cells.size === 0) return;
  const order = columnOrder();
  const current = [...cells.keys()];
  if (order.filter((field) => cells.has(field)).join() === current.join()) return;
  const anchor = row.querySelector(":scope > .warn");
  for (const field of order) if (cells.has(field)) row.insertBefore(cells.get(field), anchor);
}

function orderRows() {
  const table = grid();
  if (!table) return;
  const head = table.querySelector("thead tr");
  if (head) orderCells(head, "th[data-col]", "data-col");
  document.querySelectorAll("tr[data-listing-id]").forEach((row) => orderCells(row, "td[data-field]", "data-field"));
}

// One stylesheet rule set, so rows loaded later follow the same settings.
function applyStyle() {
  let style = document.getElementById("grid-column-style");
  if (!style) {
    style = document.createElement("style");
    style.id = "grid-column-style";
    document.head.append(style);
  }
  const rules = layout.hidden.map(
    (field) => `#grid th[data-col="${field}"], #grid td[data-field="${field}"] { display: none; }`,
  );
  for (const [field, width] of Object.entries(layout.widths)) {
    rules.push(`#grid th[data-col="${field}"] .col-resize { width: ${Math.round(width)}px; }`);
  }
  style.textContent = rules.join("\n");
  document.querySelectorAll("[data-column-toggle]").forEach((box) => {
    box.checked = !layout.hidden.includes(box.dataset.columnToggle);
  });
  // The Columns menu lists the columns in the grid's order.
  const list = document.getElementById("column-list");
  if (list) for (const field of columnOrder()) list.append(list.querySelector(`[data-column="${field}"]`));
}

function apply() {
  applyStyle();
  orderRows();
}

let saving = null;
function save() {
  // Drags and clicks come in bursts; one request per burst.
  clearTimeout(saving);
  saving = setTimeout(() => {
    saving = null;
    postForm(layoutUrl(), { layout: JSON.stringify(layout) });
  }, 300);
}

// Leaving the page (a reload, a link) within the burst still saves it.
function flush() {
  if (!saving) return;
  clearTimeout(saving);
  saving = null;
  const body = new FormData();
  body.append("layout", JSON.stringify(layout));
  body.append("csrfmiddlewaretoken", csrfToken());
  navigator.sendBeacon(layoutUrl(), body);
}

function move(field, step) {
  const order = columnOrder();
  const from = order.indexOf(field);
  const to = from + step;
  // The frozen title stays first.
  if (from <= 0 || to <= 0 || to >= order.length) return;
  order.splice(from, 1);
  order.splice(to, 0, field);
  layout.order = order;
  apply();
  save();
}

// A width is the seller's when they let go of a header's resize handle. (Watching
// sizes instead reads a header's removal, e.g. when a sort reloads the table, as
// a resize to 0: issue 13, bug 1.)
let resizing = null;
function onPointerDown(event) {
  const handle = event.target.closest && event.target.closest("#grid .col-resize");
  if (!handle) return;
  resizing = { handle, field: handle.closest("th").dataset.col, width: handle.getBoundingClientRect().width };
}

function onPointerUp() {
  if (!resizing) return;
  const { handle, field, width } = resizing;
  resizing = null;
  if (!handle.isConnected) return;
  const now = Math.round(handle.getBoundingClientRect().width);
  if (now === Math.round(width) || now <= 0) return;
  layout.widths = { ...layout.widths, [field]: now };
  // The stylesheet now carries the width; the inline one CSS resize set can go.
  handle.style.width = "";
  applyStyle();
  save();
}

export function initColumns() {
  const saved = document.getElementById("grid-layout");
  if (!saved) return;
  layout = { order: [], hidden: [], widths: {}, ...JSON.parse(saved.textContent) };
  apply();
  // Rows that arrive later (scrolling, a sort, pasted or added rows) take the order.
  document.addEventListener("htmx:afterSwap", () => orderRows());
  document.addEventListener("htmx:oobAfterSwap", () => orderRows());
  window.addEventListener("pagehide", flush);
  document.addEventListener("pointerdown", onPointerDown);
  document.addEventListener("pointerup", onPointerUp);
  document.addEventListener("change", (event) => {
    const field = event.target.dataset && event.target.dataset.columnToggle;
    if (!field) return;
    layout.hidden = layout.hidden.filter((name) => name !== field);
    if (!event.target.checked) layout.hidden.push(field);
    apply();
    save();
  });
  document.addEventListener("click", (event) => {
    const mover = event.target.closest("[data-column-move]");
    if (mover) {
      move(mover.closest("[data-column]").dataset.column, Number(mover.dataset.columnMove));
      return;
    }
    if (!event.target.closest("[data-layout-reset]")) return;
    clearTimeout(saving);
    layout = { order: [], hidden: [], widths: {} };
    document.querySelectorAll("#grid .col-resize").forEach((handle) => (handle.style.width = ""));
    apply();
    postForm(`${layoutUrl()}reset/`, {});
  });
}

// The layout a saved view stores along with its filters and sort.
export function currentLayout() {
  return layout;
}
