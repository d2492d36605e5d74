// Form behaviour that would otherwise be inline handlers, which the
// Content-Security-Policy (script-src 'self') does not run.

// <form data-confirm="Delete this?">: ask before submitting.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
  // <form data-htmx-only>: its buttons send HTMX requests; Enter must not submit it.
  if (form.hasAttribute("data-htmx-only")) {
    event.preventDefault();
  }
});

// An editable cell (<td class="editable" hx-trigger="click, activate">) opens on
// Enter as well as on a click.
document.addEventListener("keyup", (event) => {
  const cell = event.target.closest?.("td.editable[hx-trigger~='activate']");
  if (cell && event.key === "Enter" && event.target === cell) {
    window.htmx.trigger(cell, "activate");
  }
});
