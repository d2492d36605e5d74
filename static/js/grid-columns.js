// Hideable and resizable columns, remembered in this browser (localStorage).
const KEY = "grid.columns";

function load() {
  try {
    return { hidden: [], widths: {}, ...JSON.parse(localStorage.getItem(KEY) || "{}") };
  } catch {
    return { hidden: [], widths: {} };
  }
}

function save(settings) {
  localStorage.setItem(KEY, JSON.stringify(settings));
}

// One stylesheet rule set, so rows loaded later follow the same settings. A
// constructed stylesheet rather than a <style> element, which the
// Content-Security-Policy (style-src 'self') would refuse.
const columnSheet = new CSSStyleSheet();
document.adoptedStyleSheets = [...document.adoptedStyleSheets, columnSheet];

function apply(settings) {
  const rules = settings.hidden.map(
    (field) => `#grid th[data-col="${field}"], #grid td[data-field="${field}"] { display: none; }`,
  );
  for (const [field, width] of Object.entries(settings.widths)) {
    rules.push(`#grid th[data-col="${field}"] .col-resize { width: ${Math.round(width)}px; }`);
  }
  columnSheet.replaceSync(rules.join("\n"));
  document.querySelectorAll("[data-column-toggle]").forEach((box) => {
    box.checked = !settings.hidden.includes(box.dataset.columnToggle);
  });
}

// The header's resize handle (CSS resize) changes its width; remember it.
const observer = new ResizeObserver((entries) => {
  const settings = load();
  let changed = false;
  for (const entry of entries) {
    const field = entry.target.closest("th").dataset.col;
    const width = Math.round(entry.target.getBoundingClientRect().width);
    if (entry.target.dataset.observed === "ready" && settings.widths[field] !== width) {
      settings.widths[field] = width;
      changed = true;
    }
    entry.target.dataset.observed = "ready";
  }
  if (changed) save(settings);
});

function observeHeaders() {
  document.querySelectorAll("#grid .col-resize:not([data-observed])").forEach((handle) => {
    handle.dataset.observed = "new";
    observer.observe(handle);
  });
}

export function initColumns() {
  apply(load());
  observeHeaders();
  document.addEventListener("htmx:afterSettle", observeHeaders);
  document.addEventListener("change", (event) => {
    const field = event.target.dataset && event.target.dataset.columnToggle;
    if (!field) return;
    const settings = load();
    settings.hidden = settings.hidden.filter((name) => name !== field);
    if (!event.target.checked) settings.hidden.push(field);
    save(settings);
    apply(settings);
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-columns-reset]")) return;
    const settings = load();
    settings.widths = {};
    save(settings);
    document.querySelectorAll("#grid .col-resize").forEach((handle) => (handle.style.width = ""));
    apply(settings);
  });
}
