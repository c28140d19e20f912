// Ask before a destructive button submits its form: <button data-confirm="Hapus?">.
// A form that posts is sent once: a second click while the page loads does nothing (the
// first submit decides; a double click must not create a package or a request twice).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = button && button.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method !== "post" || form.hasAttribute("hx-post")) {
    return;
  }
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "yes";
});

// Coming back with the browser's back button shows the page from its cache: let its forms
// be sent again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitted]").forEach((form) => {
    delete form.dataset.submitted;
  });
});

// A print button: <button type="button" data-print>. (No onclick="": the Content-Security-
// Policy runs no inline script.)
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
