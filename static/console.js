/* Behaviour of the console pages, attached here because the Content-Security-Policy runs no inline script:
   - <select data-autosubmit> submits its form when another option is chosen;
   - <button data-copy="text"> copies the text to the clipboard;
   - <input type="datetime-local" data-utc-into="name"> fills the form's field `name` with its value as UTC.
   Listeners sit on the document, so content swapped in by htmx behaves the same. */
"use strict";

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches("select[data-autosubmit]")) {
    field.form.submit();
  } else if (field.matches("input[data-utc-into]")) {
    field.form.elements[field.dataset.utcInto].value = field.value ? field.value + "+00:00" : "";
  }
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (button) {
    navigator.clipboard.writeText(button.dataset.copy);
  }
});
