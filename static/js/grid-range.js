// A range of cells, as in a spreadsheet: the focused cell is one corner (the
// anchor), shift+arrows, shift-click or a drag move the other. Ctrl+C copies it
// as tab-separated text (what Excel and Sheets paste), Ctrl+D and the fill handle
// fill down, Delete clears it. Every write goes through the paste endpoint, so
// each is one undo step and bad cells are reported the same way.
import { CELL, activeCell, cellAt, focusCell, isEditing, visibleCells } from "./grid-cells.js";

// The far corner of the range (row id and field); null means the range is the
// focused cell alone.
let corner = null;
let dragStart = null; // the cell a mouse drag started on
let filling = null; // { fillTo: row element } while the fill handle is dragged

const rows = () => [...document.querySelectorAll("#rows > tr[data-listing-id]")];

function fieldsOf(row) {
  return visibleCells(row).map((td) => td.dataset.field);
}

// The range as rows (top to bottom) and fields (left to right, as shown).
function currentRange() {
  const anchor = activeCell();
  if (!anchor) return null;
  const far = (corner && cellAt(corner.id, corner.field)) || anchor;
  const all = rows();
  const [top, bottom] = [all.indexOf(anchor.parentElement), all.indexOf(far.parentElement)].sort((a, b) => a - b);
  const fields = fieldsOf(anchor.parentElement);
  const [left, right] = [fields.indexOf(anchor.dataset.field), fields.indexOf(far.dataset.field)].sort(
    (a, b) => a - b,
  );
  if (top < 0 || left < 0) return null;
  return { rows: all.slice(top, bottom + 1), fields: fields.slice(left, right + 1) };
}

function paint() {
  document.querySelectorAll("#grid .in-range, #grid .fill-target").forEach((td) => {
    td.classList.remove("in-range", "fill-target", "range-end");
  });
  document.querySelectorAll("#grid .fill-handle").forEach((handle) => handle.remove());
  const range = currentRange();
  if (!range || isEditing(activeCell())) return;
  for (const row of range.rows) {
    for (const field of range.fields) row.querySelector(`:scope > td[data-field="${field}"]`).classList.add("in-range");
  }
  if (filling) {
    const all = rows();
    for (const row of all.slice(all.indexOf(range.rows.at(-1)) + 1, all.indexOf(filling.fillTo) + 1)) {
      for (const field of range.fields) row.querySelector(`:scope > td[data-field="${field}"]`).classList.add("fill-target");
    }
  }
  const last = range.rows.at(-1).querySelector(`:scope > td[data-field="${range.fields.at(-1)}"]`);
  last.classList.add("range-end");
  const handle = document.createElement("span");
  handle.className = "fill-handle";
  handle.title = "Drag down to fill";
  last.append(handle);
}

// What a cell holds, as text: the full value when the cell shows it shortened.
function cellText(td) {
  if ("value" in td.dataset) return td.dataset.value;
  return [...td.childNodes]
    .filter((node) => node.nodeType === Node.TEXT_NODE)
    .map((node) => node.textContent)
    .join("");
}

function rangeValues(range) {
  return range.rows.map((row) =>
    range.fields.map((field) => cellText(row.querySelector(`:scope > td[data-field="${field}"]`))),
  );
}

// Excel's clipboard format: tabs between cells, a line per row, quotes around a
// cell that holds a tab, a line break or a quote (quotes doubled).
function toTsv(lines) {
  const quote = (text) => (/[\t\n\r"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return lines.map((line) => line.map(quote).join("\t")).join("\n");
}

function write(targets, fields, values, extra = {}) {
  const base = document.getElementById("grid").dataset.baseUrl;
  htmx.ajax("POST", `${base}paste/`, {
    source: activeCell(),
    target: "#grid-message",
    swap: "innerHTML",
    values: {
      fields,
      ids: targets.map((row) => row.dataset.listingId),
      versions: targets.map((row) => row.dataset.version),
      text: values ? toTsv(values) : "",
      ...extra,
    },
  });
}

// The first row of the range goes into the rows below it; a range of one row
// takes the row above it, as Ctrl+D does in Sheets.
function fillDown() {
  const range = currentRange();
  if (!range) return;
  let source = range.rows[0];
  let targets = range.rows.slice(1);
  if (targets.length === 0) {
    const all = rows();
    source = all[all.indexOf(range.rows[0]) - 1];
    targets = range.rows;
    if (!source) return;
  }
  const values = rangeValues({ rows: [source], fields: range.fields })[0];
  write(targets, range.fields, targets.map(() => values), { action: "fill" });
}

// The fill handle repeats the range's rows into the rows it was dragged over.
function fillTo(lastRow) {
  const range = currentRange();
  const all = rows();
  const targets = all.slice(all.indexOf(range.rows.at(-1)) + 1, all.indexOf(lastRow) + 1);
  if (!targets.length) return;
  const source = rangeValues(range);
  write(targets, range.fields, targets.map((_, i) => source[i % source.length]), { action: "fill" });
  // The range now reaches the last filled row; its far corner is across from the anchor.
  const across = activeCell().dataset.field === range.fields[0] ? range.fields.at(-1) : range.fields[0];
  corner = { id: lastRow.dataset.listingId, field: across };
}

function clearRange() {
  const range = currentRange();
  if (range) write(range.rows, range.fields, null, { action: "clear" });
}

// Shift+arrow moves the far corner one cell; the grid's edges stop it.
function extend(direction) {
  const anchor = activeCell();
  const far = (corner && cellAt(corner.id, corner.field)) || anchor;
  const all = rows();
  const fields = fieldsOf(anchor.parentElement);
  let rowIndex = all.indexOf(far.parentElement);
  let fieldIndex = fields.indexOf(far.dataset.field);
  if (direction === "up") rowIndex = Math.max(rowIndex - 1, 0);
  if (direction === "down") rowIndex = Math.min(rowIndex + 1, all.length - 1);
  if (direction === "left") fieldIndex = Math.max(fieldIndex - 1, 0);
  if (direction === "right") fieldIndex = Math.min(fieldIndex + 1, fields.length - 1);
  corner = { id: all[rowIndex].dataset.listingId, field: fields[fieldIndex] };
  paint();
  cellAt(corner.id, corner.field).scrollIntoView({ block: "nearest", inline: "nearest" });
}

const SHIFT_ARROWS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };

function onKey(event) {
  const td = event.target.closest && event.target.closest(CELL);
  if (!td || td !== event.target || isEditing(td)) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (event.shiftKey && !ctrl && !event.altKey && SHIFT_ARROWS[event.key]) {
    event.preventDefault();
    extend(SHIFT_ARROWS[event.key]);
  } else if (ctrl && !event.altKey && event.key.toLowerCase() === "d") {
    event.preventDefault();
    fillDown();
  } else if ((event.key === "Delete" || event.key === "Backspace") && !ctrl) {
    event.preventDefault();
    clearRange();
  } else if (event.key === "Escape" && corner) {
    corner = null;
    paint();
  }
}

function onCopy(event) {
  const td = activeCell();
  if (!td || isEditing(td) || (event.target.closest && event.target.closest("input, textarea, select"))) return;
  if (document.activeElement !== td) return;
  event.preventDefault();
  event.clipboardData.setData("text/plain", toTsv(rangeValues(currentRange())));
}

function cellUnder(event) {
  const element = document.elementFromPoint(event.clientX, event.clientY);
  return element && element.closest(CELL);
}

function onMouseDown(event) {
  if (event.button !== 0) return;
  if (event.target.closest(".fill-handle")) {
    event.preventDefault();
    filling = { fillTo: currentRange().rows.at(-1) };
    return;
  }
  const td = event.target.closest(CELL);
  if (!td || isEditing(td) || event.target.closest("form, button, a, input")) return;
  if (event.shiftKey && activeCell()) {
    // Shift-click moves the far corner; the focus stays on the anchor.
    event.preventDefault();
    corner = { id: td.parentElement.dataset.listingId, field: td.dataset.field };
    paint();
    return;
  }
  corner = null;
  dragStart = td;
  paint();
}

function onMouseMove(event) {
  if (!(event.buttons & 1) || !(dragStart || filling)) return;
  const td = cellUnder(event);
  if (!td) return;
  if (filling) {
    const all = rows();
    if (all.indexOf(td.parentElement) >= all.indexOf(currentRange().rows.at(-1))) filling.fillTo = td.parentElement;
  } else {
    if (td === dragStart && !corner) return;
    // The drag's first cell becomes the anchor (a plain click focuses on "click").
    if (activeCell() !== dragStart) focusCell(dragStart);
    corner = { id: td.parentElement.dataset.listingId, field: td.dataset.field };
  }
  paint();
}

function onMouseUp() {
  dragStart = null;
  if (!filling) return;
  const { fillTo: last } = filling;
  filling = null;
  fillTo(last);
  paint();
}

export function initRange() {
  document.addEventListener("keydown", onKey);
  document.addEventListener("copy", onCopy);
  document.addEventListener("mousedown", onMouseDown);
  document.addEventListener("mousemove", onMouseMove);
  document.addEventListener("mouseup", onMouseUp);
  // A new focused cell (click, arrows, Tab) starts a new range.
  document.addEventListener("focusin", (event) => {
    if (!event.target.matches || !event.target.matches(CELL)) return;
    corner = null;
    paint();
  });
  // Rows re-rendered by the server (a paste, a fill, a reload) lose the marks.
  document.addEventListener("htmx:afterSettle", paint);
}
