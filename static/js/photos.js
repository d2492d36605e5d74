// A row's photo drawer: open it from the grid's photo column, upload by dropping
// files (or choosing them), reorder by dragging (or the arrow buttons), delete.
// HTMX sends every request; this module only wires the browser's events to it.
const dialog = document.getElementById("photo-drawer");
const body = document.getElementById("photo-drawer-body");
const ITEM = "text/x-photo-id";

function open(url) {
  body.replaceChildren(Object.assign(document.createElement("p"), { textContent: "Loading photos…" }));
  dialog.showModal();
  window.htmx.ajax("GET", url, { target: body, swap: "innerHTML" });
}

function upload(files) {
  const form = body.querySelector("#photo-drop");
  const input = form?.querySelector("[data-photo-input]");
  if (!input || !files.length) return;
  input.files = files;
  form.requestSubmit();
}

function saveOrder() {
  window.htmx.trigger(body.querySelector("#photo-order"), "reorder");
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-photo-drawer]");
  if (opener) open(opener.dataset.photoDrawer);
  if (event.target.closest("[data-photo-drawer-close]")) dialog.close();
  const mover = event.target.closest("[data-photo-move]");
  if (mover && dialog.contains(mover)) {
    const item = mover.closest(".photo-item");
    const sibling = Number(mover.dataset.photoMove) < 0 ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) return;
    if (Number(mover.dataset.photoMove) < 0) sibling.before(item);
    else sibling.after(item);
    saveOrder();
  }
});

body.addEventListener("change", (event) => {
  if (event.target.matches("[data-photo-input]")) event.target.form.requestSubmit();
});

// Dragging files from the desktop onto the drop zone uploads them.
body.addEventListener("dragover", (event) => {
  const zone = event.target.closest("[data-drop-zone]");
  if (zone && event.dataTransfer.types.includes("Files")) {
    event.preventDefault();
    zone.classList.add("dragging");
  }
});
body.addEventListener("dragleave", (event) => event.target.closest("[data-drop-zone]")?.classList.remove("dragging"));
body.addEventListener("drop", (event) => {
  const zone = event.target.closest("[data-drop-zone]");
  if (zone && event.dataTransfer.files.length) {
    event.preventDefault();
    zone.classList.remove("dragging");
    upload(event.dataTransfer.files);
  }
});

// Dragging a photo among the others reorders them; the order is saved on drop.
let dragged = null;
body.addEventListener("dragstart", (event) => {
  dragged = event.target.closest(".photo-item");
  if (!dragged) return;
  event.dataTransfer.setData(ITEM, dragged.dataset.photoId);
  event.dataTransfer.effectAllowed = "move";
  dragged.classList.add("dragged");
});
body.addEventListener("dragover", (event) => {
  const over = event.target.closest(".photo-item");
  if (!dragged || !over || !event.dataTransfer.types.includes(ITEM)) return;
  event.preventDefault();
  if (over === dragged) return;
  const box = over.getBoundingClientRect();
  if (event.clientX < box.left + box.width / 2) over.before(dragged);
  else over.after(dragged);
});
body.addEventListener("drop", (event) => {
  if (dragged && event.dataTransfer.types.includes(ITEM)) {
    event.preventDefault();
    saveOrder();
  }
});
body.addEventListener("dragend", () => {
  dragged?.classList.remove("dragged");
  dragged = null;
});
