// Small requests the grid makes outside htmx (layout saves), with the same CSRF
// header htmx sends (from the body's hx-headers).
export function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

export async function postForm(url, values) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
    body: new URLSearchParams(values),
    credentials: "same-origin",
  });
  // Signed out meanwhile: the server names the log-in page (see marketplace/htmx.py).
  const redirect = response.headers.get("HX-Redirect");
  if (response.status === 401 && redirect) window.location.href = redirect;
  return response;
}

// A one-time token for a bulk action: the server applies a request with a token
// it has seen once only (Idempotency-Key). crypto.randomUUID needs a secure
// context; a self-hosted app may be served over plain http on a LAN.
export function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
