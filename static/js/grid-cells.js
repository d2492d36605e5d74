// Finding cells and moving the grid's focus between them.
export const CELL = "tr[data-listing-id] > td[data-field]";

// The cell that has (or last had) the keyboard focus: row id and field.
const active = { id: null, field: null };

export function cellAt(id, field) {
  return document.querySelector(`tr[data-listing-id="${id}"] > td[data-field="${field}"]`);
}

export function activeCell() {
  return active.id ? cellAt(active.id, active.field) : null;
}

// "opening": the editor was asked for and is on its way.
const EDITING = ["edit", "error", "saving", "opening"];

export function isEditing(td) {
  return EDITING.includes(td.dataset.state);
}

export function cellUrl(td) {
  const base = document.getElementById("grid").dataset.baseUrl;
  return `${base}${td.parentElement.dataset.listingId}/cells/${td.dataset.field}/`;
}

// Roving tabindex: the active cell is the grid's one tab stop.
export function focusCell(td) {
  if (!td) return;
  document.querySelectorAll(`${CELL}[tabindex="0"]`).forEach((cell) => (cell.tabIndex = -1));
  active.id = td.parentElement.dataset.listingId;
  active.field = td.dataset.field;
  if (isEditing(td)) {
    const input = td.querySelector("input[name=value], select, textarea");
    if (input) {
      input.focus();
      if (input.select && td.dataset.state === "edit") input.select();
    }
    return;
  }
  td.tabIndex = 0;
  td.focus();
}

// The neighbouring cell in a direction, or null at the grid's edge.
export function neighbour(td, direction) {
  const row = td.parentElement;
  if (direction === "left" || direction === "right") {
    const cells = visibleCells(row);
    const next = cells[cells.indexOf(td) + (direction === "right" ? 1 : -1)];
    if (next) return next;
    // Past the row's end (or start), wrap to the next (or previous) row.
    const rowNext = sibling(row, direction === "right" ? "down" : "up");
    if (!rowNext) return null;
    const wrapped = visibleCells(rowNext);
    return direction === "right" ? wrapped[0] : wrapped[wrapped.length - 1];
  }
  const other = sibling(row, direction);
  return other ? other.querySelector(`:scope > td[data-field="${td.dataset.field}"]`) : null;
}

// A row's cells in the columns that are not hidden (see grid-columns.js).
export function visibleCells(row) {
  return [...row.querySelectorAll(":scope > td[data-field]")].filter((cell) => cell.offsetParent !== null);
}

export function sibling(row, direction) {
  let next = direction === "down" ? row.nextElementSibling : row.previousElementSibling;
  while (next && !next.dataset.listingId) {
    next = direction === "down" ? next.nextElementSibling : next.previousElementSibling;
  }
  return next;
}
