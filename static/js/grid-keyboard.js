// Spreadsheet keys: arrows move, Enter/F2 edit, typing starts an edit with what
// was typed, Enter saves, Escape cancels, Tab saves and moves on. HTMX swaps
// cells; this keeps the focus where it belongs.
import { CELL, activeCell, cellUrl, focusCell, isEditing, neighbour } from "./grid-cells.js";

const ARROWS = { ArrowUp: "up", ArrowDown: "down", ArrowLeft: "left", ArrowRight: "right" };
// A move to make once the cell being saved comes back from the server.
let pendingMove = null;
// What was typed on a cell whose editor is still on its way: it replaces the
// cell's value once the editor arrives, as in a spreadsheet.
let typed = null;

// One editor at a time: opening another saves the open one (or, if it holds a
// value the server refused, puts it back as it was).
function closeOtherEditors(td) {
  document.querySelectorAll(`${CELL}[data-state="edit"], ${CELL}[data-state="error"]`).forEach((other) => {
    if (other === td) return;
    const form = other.querySelector("form.cell-editor");
    if (other.dataset.state === "edit" && form) htmx.trigger(form, "submit");
    else htmx.ajax("GET", cellUrl(other), { source: other, target: other, swap: "outerHTML" });
  });
}

function openEditor(td, text = null) {
  closeOtherEditors(td);
  focusCell(td);
  typed = text === null ? null : { cell: `${td.parentElement.dataset.listingId}/${td.dataset.field}`, text };
  td.dataset.state = "opening";
  htmx.ajax("GET", `${cellUrl(td)}?edit=1`, { source: td, target: td, swap: "outerHTML" });
}

// A key that types a character (not a shortcut).
function isCharacter(event) {
  return event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey;
}

function cancelEdit(td) {
  pendingMove = null;
  htmx.ajax("GET", cellUrl(td), { target: td, swap: "outerHTML", source: td });
}

function onViewKey(event, td) {
  if (ARROWS[event.key] && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    focusCell(neighbour(td, ARROWS[event.key]) || td);
  } else if (event.key === "Enter" || event.key === "F2") {
    event.preventDefault();
    openEditor(td);
  } else if (event.key === "Tab") {
    const next = neighbour(td, event.shiftKey ? "left" : "right");
    if (next) {
      event.preventDefault();
      focusCell(next);
    }
  } else if (isCharacter(event)) {
    event.preventDefault();
    openEditor(td, event.key);
  }
}

function onEditorKey(event, td) {
  if (td.dataset.state === "opening") {
    // Keys typed before the editor arrives are kept, not lost: characters, and
    // the Enter, Tab or Escape that ends them (done once the editor is there).
    if (!typed) return;
    if (isCharacter(event)) typed.text += event.key;
    else if (event.key === "Enter") typed.then = "save";
    else if (event.key === "Tab") typed.then = event.shiftKey ? "left" : "right";
    else if (event.key === "Escape") typed.then = "cancel";
    else return;
    event.preventDefault();
    return;
  }
  const form = td.querySelector("form.cell-editor");
  if (!form) return;
  const inTextarea = event.target.tagName === "TEXTAREA";
  if (event.key === "Escape") {
    event.preventDefault();
    cancelEdit(td);
  } else if (event.key === "Enter" && !(inTextarea && event.shiftKey)) {
    event.preventDefault();
    htmx.trigger(form, "submit");
  } else if (event.key === "Tab") {
    event.preventDefault();
    pendingMove = event.shiftKey ? "left" : "right";
    htmx.trigger(form, "submit");
  }
}

function updateCounter(field) {
  const counter = field.form && field.form.querySelector(".counter");
  if (!counter) return;
  counter.querySelector("[data-count]").textContent = field.value.length;
  counter.classList.toggle("over", field.value.length > Number(field.dataset.max));
}

// Ctrl+Z / Ctrl+Y (and Cmd, and Ctrl+Shift+Z) press the undo and redo buttons,
// except inside a text field, where they undo typing.
function onUndoKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  if (event.target.closest("input, textarea, select")) return;
  const key = event.key.toLowerCase();
  const id = key === "z" && !event.shiftKey ? "undo" : key === "y" || (key === "z" && event.shiftKey) ? "redo" : null;
  const button = id && document.getElementById(id);
  if (!button) return;
  event.preventDefault();
  // The buttons are re-rendered after each change; make sure htmx has wired them.
  htmx.process(button);
  button.click();
}

export function initKeyboard() {
  document.addEventListener("keydown", onUndoKey);
  document.addEventListener("keydown", (event) => {
    const td = event.target.closest(CELL);
    if (!td) return;
    if (isEditing(td)) onEditorKey(event, td);
    else if (event.target === td) onViewKey(event, td);
  });

  document.addEventListener("click", (event) => {
    const td = event.target.closest(CELL);
    // Shift-click and the fill handle belong to the range (grid-range.js).
    if (!td || isEditing(td) || event.shiftKey || event.target.closest("form, button, a, .fill-handle")) return;
    // A click on the focused cell opens it, like a second click in a spreadsheet.
    if (td === activeCell() && document.activeElement === td) openEditor(td);
    else focusCell(td);
  });
  document.addEventListener("dblclick", (event) => {
    const td = event.target.closest(CELL);
    if (td && !isEditing(td)) openEditor(td);
  });

  document.addEventListener("input", (event) => {
    if (event.target.dataset.max) updateCounter(event.target);
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (form.matches && form.matches("form.cell-editor")) form.closest("td").dataset.state = "saving";
  });

  // HTMX replaced the active cell (the focus fell to the page): put the focus
  // back, and make the move Tab asked for once the save has succeeded.
  document.addEventListener("htmx:afterSwap", () => {
    const td = activeCell();
    if (!td) return;
    if (td.dataset.version) td.parentElement.dataset.version = td.dataset.version;
    const focusLost = !document.activeElement || document.activeElement === document.body;
    if (!focusLost || td.dataset.state === "saving") return;
    if (td.dataset.state !== "saved") pendingMove = null;
    // htmx wires new content up when it settles; the focused editor must answer
    // keys now (htmx skips elements it has already processed).
    htmx.process(td);
    if (td.dataset.state === "saved" && pendingMove) {
      const next = neighbour(td, pendingMove);
      pendingMove = null;
      focusCell(next || td);
      return;
    }
    focusCell(td);
    startWithTyped(td);
  });

  // New rows (Add row) open their title for typing straight away.
  document.addEventListener("htmx:afterSettle", () => {
    const row = document.querySelector("tr[data-new]");
    if (!row) return;
    row.removeAttribute("data-new");
    openEditor(row.querySelector('td[data-field="title"]'));
  });

  ensureTabStop();
  document.addEventListener("htmx:afterSettle", ensureTabStop);
}

// An editor opened by typing starts with what was typed, the caret at its end.
function startWithTyped(td) {
  if (!typed || typed.cell !== `${td.parentElement.dataset.listingId}/${td.dataset.field}`) return;
  const input = td.querySelector("input[name=value], textarea");
  const { text, then } = typed;
  typed = null;
  if (!input || td.dataset.state !== "edit") return;
  if (then === "cancel") {
    cancelEdit(td);
    return;
  }
  input.value = text;
  input.setSelectionRange(text.length, text.length);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  if (then) {
    pendingMove = then === "save" ? null : then;
    htmx.trigger(input.form, "submit");
  }
}

// Keep one cell reachable with Tab: the active one, or the first after a reload.
function ensureTabStop() {
  if (document.querySelector(`${CELL}[tabindex="0"]`)) return;
  const cell = activeCell() || document.querySelector(CELL);
  if (cell) cell.tabIndex = 0;
}
