// Backend status indicator: polls /api/health/ and shows each part's state.
const box = document.getElementById("backend-status");

function row(list, name, ok, text) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = text;
  dd.dataset.ok = ok ? "yes" : "no";
  list.append(dt, dd);
}

async function refresh() {
  let body;
  try {
    const response = await fetch(box.dataset.healthUrl, { headers: { Accept: "application/json" } });
    body = await response.json();
  } catch {
    body = { status: "down" };
  }
  box.querySelector(".dot").dataset.state = body.status;
  box.querySelector(".label").textContent = `Backend ${body.status}`;
  const list = box.querySelector(".status-details");
  list.replaceChildren();
  if (body.database) {
    row(list, "Database", body.database.ok, `${body.database.vendor} ${body.database.ok ? "ok" : "down"}`);
    row(list, "Cache", body.cache.ok, `${body.cache.backend} ${body.cache.ok ? "ok" : "down"}`);
    row(list, "OCR", body.ocr.available, body.ocr.available ? `Tesseract ${body.ocr.tesseract_version}` : "not installed");
    row(list, "Task queue", body.tasks.ok, body.tasks.ok ? `${body.tasks.pending} pending` : "unknown");
    row(list, "Version", true, body.version);
  }
}

if (box) {
  refresh();
  setInterval(refresh, 30000);
}
