// "?" (outside a text field) or the header button opens the keyboard-shortcut help.
const dialog = document.getElementById("shortcuts");

function typing(target) {
  return target.closest && target.closest("input, textarea, select, [contenteditable]");
}

if (dialog) {
  document.getElementById("shortcuts-open").addEventListener("click", () => dialog.showModal());
  document.addEventListener("keydown", (event) => {
    // On a grid cell "?" is typed into the cell, as any character is.
    const onCell = event.target.matches && event.target.matches("td[data-field]");
    if (event.key === "?" && !typing(event.target) && !onCell && !dialog.open) {
      event.preventDefault();
      dialog.showModal();
    }
  });
}
