// Back and forward: htmx puts back the rows it saved for that address, but form
// controls keep the values they had when the page was left (a saved page holds
// HTML attributes, not what was typed). Every control is set from the URL.
function restoreControls() {
  const form = document.getElementById("filters");
  if (!form) return;
  const params = new URLSearchParams(window.location.search);
  for (const control of form.elements) {
    if (!control.name) continue;
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = params.getAll(control.name).includes(control.value);
    } else if (control.tagName !== "BUTTON") {
      control.value = params.get(control.name) || "";
    }
  }
}

export function initHistory() {
  // Filters left empty stay out of the address (?q=red, not ?q=red&category=&…),
  // so the addresses in the history read as what they show.
  document.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt.id !== "filters") return;
    const params = event.detail.parameters;
    for (const [name, value] of [...params.entries()]) if (value === "") params.delete(name);
  });
  document.addEventListener("htmx:historyRestore", restoreControls);
  // An address htmx did not save (or a page the browser kept in its cache).
  window.addEventListener("popstate", () => setTimeout(restoreControls));
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) restoreControls();
  });
}
