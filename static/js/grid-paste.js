// Paste a block copied from Excel or Google Sheets (tab-separated lines) into the
// grid, starting at the focused cell: its columns are the ones shown from there
// on (in the seller's column order). The server writes it and reports bad cells.
import { activeCell, isEditing, visibleCells } from "./grid-cells.js";

export function initPaste() {
  document.addEventListener("paste", (event) => {
    const td = activeCell();
    // Inside an open editor, paste into its input as usual.
    if (!td || isEditing(td) || !event.target.closest || event.target.closest("input, textarea, select")) return;
    const text = event.clipboardData && event.clipboardData.getData("text/plain");
    if (!text) return;
    event.preventDefault();
    const lines = text.replace(/\r?\n$/, "").split(/\r?\n/).length;
    const ids = [];
    const versions = [];
    for (let row = td.parentElement; row && ids.length < lines; row = row.nextElementSibling) {
      if (!row.dataset.listingId) continue;
      ids.push(row.dataset.listingId);
      versions.push(row.dataset.version);
    }
    const shown = visibleCells(td.parentElement).map((cell) => cell.dataset.field);
    const base = document.getElementById("grid").dataset.baseUrl;
    htmx.ajax("POST", `${base}paste/`, {
      source: td,
      target: "#grid-message",
      swap: "innerHTML",
      values: { fields: shown.slice(shown.indexOf(td.dataset.field)), text, ids, versions },
    });
  });
}
