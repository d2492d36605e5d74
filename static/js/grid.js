// The spreadsheet page: each concern is a small module; HTMX does the requests.
import { initColumns } from "./grid-columns.js";
import { initKeyboard } from "./grid-keyboard.js";
import { initPaste } from "./grid-paste.js";
import { initSelection } from "./grid-selection.js";

initKeyboard();
initPaste();
initSelection();
initColumns();

// Messages in the grid's live region can be dismissed.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-dismiss-message]")) {
    document.getElementById("grid-message").replaceChildren();
  }
});
