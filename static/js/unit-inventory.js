/* The staff inventory: "select all" for the bulk status change, and a
 * confirmation before archiving. Without JavaScript the checkboxes and buttons
 * work on their own; the "select all" box stays hidden.
 */
(function () {
  "use strict";

  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.dataset.selectAll;
    function boxes() {
      return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
    }
    function sync() {
      var list = boxes();
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === name) {
        sync();
      }
    });
    sync();
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();
