// A cell edit that the server never saw because the session had ended: htmx is
// sent to the log-in page (401 + HX-Redirect, see marketplace/htmx.py), and the
// typed value waits in sessionStorage (this tab only) until the grid is back.
// It is offered again there: save it, or let it go.
import { cellAt } from "./grid-cells.js";

const KEY = "grid.unsaved-edit";

function remember(form) {
  const td = form.closest("td[data-field]");
  const row = td.closest("tr[data-listing-id]");
  const title = row.querySelector('td[data-field="title"]');
  const edit = {
    url: form.getAttribute("hx-post"),
    id: row.dataset.listingId,
    field: td.dataset.field,
    label: form.querySelector("[aria-label]")?.getAttribute("aria-label") || td.dataset.field,
    title: title ? title.textContent.trim() : "",
    value: form.elements.value.value,
    version: form.elements.version.value,
  };
  sessionStorage.setItem(KEY, JSON.stringify(edit));
}

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

function offer(edit) {
  const area = document.getElementById("grid-message");
  const box = document.createElement("div");
  box.className = "grid-message confirm";
  box.id = "unsaved-edit";
  box.setAttribute("role", "alert");
  const text = document.createElement("p");
  const where = edit.title ? ` of “${edit.title}”` : "";
  text.textContent = `You were signed out before this change was saved: ${edit.label}${where} → “${edit.value}”.`;
  const save = document.createElement("button");
  save.type = "button";
  save.textContent = "Save it now";
  save.dataset.unsavedSave = "";
  const drop = document.createElement("button");
  drop.type = "button";
  drop.className = "link";
  drop.textContent = "Discard";
  drop.dataset.unsavedDiscard = "";
  box.append(text, save, drop);
  area.replaceChildren(box);
}

function resubmit(edit) {
  sessionStorage.removeItem(KEY);
  const td = cellAt(edit.id, edit.field);
  // The cell answers with its saved state, or with a conflict to resolve if the
  // listing changed meanwhile; off screen, the message says what happened.
  htmx
    .ajax("POST", edit.url, {
      source: td || document.body,
      target: td || "#grid-message",
      swap: td ? "outerHTML" : "none",
      values: { value: edit.value, version: edit.version },
    })
    .then(() => {
      document.getElementById("unsaved-edit")?.remove();
    });
}

export function initSession() {
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.matches && event.detail.elt.matches("form.cell-editor")) remember(event.detail.elt);
  });
  // Any answer but "signed out" means the server has the edit (saved, refused
  // with a reason shown in the cell, or a conflict shown in the cell). Heard before
  // the swap: afterwards the editor is gone from the page and its events no longer
  // reach the document.
  document.addEventListener("htmx:beforeOnLoad", (event) => {
    const { elt, xhr } = event.detail;
    if (elt.matches && elt.matches("form.cell-editor") && xhr && xhr.status && xhr.status !== 401) {
      sessionStorage.removeItem(KEY);
    }
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-unsaved-save]")) resubmit(saved());
    else if (event.target.closest("[data-unsaved-discard]")) {
      sessionStorage.removeItem(KEY);
      document.getElementById("unsaved-edit").remove();
    }
  });
  const edit = saved();
  if (edit) offer(edit);
}
