// "Save this view": the grid's address changes as filters and sorts apply (htmx
// pushes it), so the form takes the current one, and the current columns, when
// it is sent.
import { currentLayout } from "./grid-columns.js";

export function initViews() {
  const form = document.getElementById("save-view-form");
  if (!form) return;
  form.addEventListener("submit", () => {
    form.elements.query.value = window.location.search.replace(/^\?/, "");
    form.elements.layout.value = JSON.stringify(currentLayout());
  });
}
