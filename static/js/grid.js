// The spreadsheet page: each concern is a small module; HTMX does the requests.
import { initBulk } from "./grid-bulk.js";
import { initColumns } from "./grid-columns.js";
import { initHistory } from "./grid-history.js";
import { initKeyboard } from "./grid-keyboard.js";
import { initPaste } from "./grid-paste.js";
import { initRange } from "./grid-range.js";
import { initSelection } from "./grid-selection.js";
import { initSession } from "./grid-session.js";
import { initViews } from "./grid-views.js";

initColumns();
initKeyboard();
initPaste();
initRange();
initSelection();
initBulk();
initHistory();
initSession();
initViews();

// Messages in the grid's live region can be dismissed.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-dismiss-message]")) {
    document.getElementById("grid-message").replaceChildren();
  }
});

// "No listings here yet" goes once a row is there (added, pasted, duplicated).
document.addEventListener("htmx:afterSettle", () => {
  if (document.querySelector("#rows > tr[data-listing-id]")) document.querySelector("#rows > tr.empty")?.remove();
});
