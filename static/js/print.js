// Buttons marked data-print open the browser's print dialog (no inline handler: the CSP forbids them).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
