// Export dialog: open it, follow the grid's current URL, send the checked listings.
for (const dialog of document.querySelectorAll("dialog.export-dialog")) {
  const form = dialog.querySelector("form");
  const idsBox = form.querySelector("[data-export-ids]");
  const countBox = form.querySelector("[data-selection-count]");
  const selectedIds = () => [...document.querySelectorAll(form.dataset.selection)].map((box) => box.value);

  function followGrid() {
    // HTMX navigation pushes the grid's filter and sort into the address bar.
    const params = new URLSearchParams(window.location.search);
    form.elements.filter.value = params.toString();
    for (const old of form.querySelectorAll('input[name="ordering"]')) old.remove();
    for (const value of params.getAll("ordering")) {
      form.append(Object.assign(document.createElement("input"), { type: "hidden", name: "ordering", value }));
    }
    countBox.textContent = selectedIds().length;
  }

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-export-open]")) {
      followGrid();
      fillIds();
      dialog.showModal();
      // The Facebook readiness check counts what the dialog would export now.
      window.htmx?.trigger(form.querySelector("#marketplace-readiness"), "readiness");
    } else if (event.target.closest("[data-export-close]") && dialog.contains(event.target)) {
      dialog.close();
    }
  });

  function fillIds() {
    idsBox.replaceChildren(
      ...selectedIds().map((id) => Object.assign(document.createElement("input"), { type: "hidden", name: "ids", value: id })),
    );
  }

  form.addEventListener("submit", () => {
    // Opened over the grid: send the grid's checked rows. The answer is a download,
    // so the page stays and the dialog goes. (Shown as a page, the form keeps its ids.)
    if (!dialog.matches(":modal")) return;
    fillIds();
    dialog.close();
  });
}
