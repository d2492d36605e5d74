// The OCR review page: hovering (or focusing) a candidate row outlines the words it
// was read from on the page image; hovering a word on the image marks the candidate
// rows that use it and outlines their words. Boxes come from the row's data-boxes
// ("left,top,width,height" separated by spaces), in the page image's pixels.
const SVG = "http://www.w3.org/2000/svg";
const table = document.getElementById("candidates");

function boxesOf(row) {
  return (row.dataset.boxes || "")
    .split(" ")
    .filter(Boolean)
    .map((box) => box.split(",").map(Number));
}

function clear() {
  document.querySelectorAll(".ocr-page g.highlight").forEach((group) => group.remove());
  table.querySelectorAll("tr.linked").forEach((row) => row.classList.remove("linked"));
}

function show(row) {
  const svg = document.querySelector(`#page-${row.dataset.page} svg`);
  row.classList.add("linked");
  if (!svg) return;
  const group = document.createElementNS(SVG, "g");
  group.setAttribute("class", "highlight");
  for (const [x, y, width, height] of boxesOf(row)) {
    const rect = document.createElementNS(SVG, "rect");
    rect.setAttribute("x", x);
    rect.setAttribute("y", y);
    rect.setAttribute("width", width);
    rect.setAttribute("height", height);
    group.appendChild(rect);
  }
  svg.appendChild(group);
}

function onRow(event) {
  const row = event.target.closest("tr[data-boxes]");
  if (!row || row.classList.contains("linked")) return;
  clear();
  show(row);
}

function onWord(event) {
  const word = event.target.closest("rect.word");
  if (!word) return;
  const page = word.closest("figure").dataset.page;
  const x = Number(word.getAttribute("x")) + Number(word.getAttribute("width")) / 2;
  const y = Number(word.getAttribute("y")) + Number(word.getAttribute("height")) / 2;
  clear();
  for (const row of table.querySelectorAll(`tr[data-page="${page}"]`)) {
    const inside = boxesOf(row).some(([left, top, width, height]) =>
      x >= left && x <= left + width && y >= top && y <= top + height);
    if (inside) show(row);
  }
}

if (table) {
  table.addEventListener("mouseover", onRow);
  table.addEventListener("focusin", onRow);
  table.addEventListener("mouseleave", clear);
  for (const svg of document.querySelectorAll(".ocr-page svg")) {
    svg.addEventListener("mouseover", onWord);
    svg.addEventListener("mouseleave", clear);
  }
}
