// Drag and drop for the import upload area: dropped files go into the form's file
// input (several at once), and their names are listed before the upload.
for (const form of document.querySelectorAll("[data-import-upload]")) {
  const zone = form.querySelector("[data-dropzone]");
  const input = zone.querySelector("input[type=file]");
  const names = zone.querySelector("[data-dropzone-files]");
  const show = () => {
    names.textContent = Array.from(input.files, (file) => file.name).join(", ");
  };
  input.addEventListener("change", show);
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
}
