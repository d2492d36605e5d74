// Row selection for the bulk bar: checkboxes, shift-click ranges, every row on
// screen, and "all N matching" (the server then uses the filters, not ids).
const boxes = () => [...document.querySelectorAll("input.row-select")];
let lastClicked = null;

function allMatching() {
  return document.getElementById("all-matching");
}

function matchingCount() {
  const count = document.querySelector("#grid-count [data-matching]");
  return count ? Number(count.dataset.matching) : null;
}

function refresh() {
  const bar = document.getElementById("bulk-bar");
  if (!bar) return;
  const checked = boxes().filter((box) => box.checked).length;
  const matching = matchingCount();
  const everything = allMatching().value === "1";
  bar.hidden = checked === 0 && !everything;
  document.getElementById("selection-count").textContent = everything
    ? `All ${matching} matching selected`
    : `${checked} selected`;
  const offer = document.getElementById("select-all-matching");
  const pageBox = document.getElementById("select-page");
  const allOnScreen = checked > 0 && checked === boxes().length;
  if (pageBox) pageBox.checked = allOnScreen;
  offer.hidden = everything || !allOnScreen || matching === null || matching <= checked;
  offer.querySelector("[data-matching]").textContent = matching;
}

function setAll(checked) {
  boxes().forEach((box) => (box.checked = checked));
}

export function initSelection() {
  document.addEventListener("click", (event) => {
    const box = event.target.closest("input.row-select");
    if (box) {
      if (event.shiftKey && lastClicked && lastClicked.isConnected) {
        const all = boxes();
        const [from, to] = [all.indexOf(lastClicked), all.indexOf(box)].sort((a, b) => a - b);
        all.slice(from, to + 1).forEach((other) => (other.checked = box.checked));
      }
      lastClicked = box;
      allMatching().value = "";
      refresh();
    } else if (event.target.id === "select-page") {
      setAll(event.target.checked);
      allMatching().value = "";
      refresh();
    } else if (event.target.closest("#select-all-matching")) {
      setAll(true);
      allMatching().value = "1";
      refresh();
    } else if (event.target.id === "clear-selection") {
      setAll(false);
      allMatching().value = "";
      refresh();
    }
  });
  // A bulk action reloads the table (rows-changed): the rows it acted on stay
  // selected, so the next action can follow. New filters or a sort start afresh.
  let kept = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target.id !== "grid-table") return;
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    kept =
      source && source.id === "grid-table"
        ? { ids: boxes().filter((box) => box.checked).map((box) => box.value), all: allMatching().value }
        : null;
  });
  // Ticked again in the same task as the swap: a bulk button pressed just after
  // a reload still sends the selection.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "grid-table") return;
    allMatching().value = kept ? kept.all : "";
    if (kept) boxes().forEach((box) => (box.checked = kept.ids.includes(box.value)));
    kept = null;
    refresh();
  });
  // New rows or a fresh count change what can be selected.
  document.addEventListener("htmx:afterSettle", refresh);
  refresh();
}
