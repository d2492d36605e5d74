// Bulk actions apply once, however often a button is pressed: buttons are
// disabled while their request is in flight (hx-disabled-elt, hx-sync in
// grid.html), and each action carries a one-time token that the server answers
// a repeat of with the first result (accounts/idempotency.py). A new token
// is drawn once the server has answered.
import { newToken } from "./grid-http.js";

function tokenInput() {
  return document.getElementById("bulk-token");
}

export function initBulk() {
  if (!tokenInput()) return;
  tokenInput().value = newToken();
  // Any request that carried the token (bulk buttons, and the confirm buttons
  // of a preview, which include the bulk form) uses it up.
  document.addEventListener("htmx:afterRequest", (event) => {
    const sent = event.detail.requestConfig && event.detail.requestConfig.formData;
    const answered = event.detail.xhr && event.detail.xhr.status > 0;
    if (answered && sent && sent.get("idempotency_key") === tokenInput().value) tokenInput().value = newToken();
  });
}
