// Dark mode: follows the system until the reader picks one; the pick is remembered.
// Loaded as a plain blocking script in <head> so the page never flashes the wrong theme.
(function () {
  const KEY = "theme";
  const root = document.documentElement;
  const stored = localStorage.getItem(KEY);
  if (stored === "dark" || stored === "light") root.dataset.theme = stored;

  function current() {
    return root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  }

  function label(button) {
    const dark = current() === "dark";
    button.setAttribute("aria-pressed", String(dark));
    button.querySelector("[data-theme-label]").textContent = dark ? "Dark" : "Light";
  }

  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("theme-toggle");
    if (!button) return;
    label(button);
    button.addEventListener("click", function () {
      const next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      localStorage.setItem(KEY, next);
      label(button);
    });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
      label(button);
    });
  });
})();
