/* One line per stand in the offer form, following the number of stands.
 *
 * Without script the server adds the missing lines when the form comes back;
 * with it, changing the number adds or removes lines at once. New lines are
 * copied from the <template id="stand-row-template"> (no inline script, no
 * HTML built from strings).
 */
(function () {
  "use strict";

  var count = document.getElementById("stand_count");
  var rows = document.querySelector("[data-stand-rows]");
  var template = document.getElementById("stand-row-template");
  if (!count || !rows || !template) {
    return;
  }
  var MAX = 12;

  function nextIndex() {
    var highest = -1;
    rows.querySelectorAll("input[name^='stands-']").forEach(function (input) {
      var match = /^stands-(\d+)-/.exec(input.name);
      if (match) {
        highest = Math.max(highest, parseInt(match[1], 10));
      }
    });
    return highest + 1;
  }

  function addRow() {
    var index = String(nextIndex());
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (element) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.split("__index__").join(index));
        }
      });
    });
    rows.appendChild(row);
  }

  function sync() {
    var wanted = parseInt(count.value, 10);
    if (!isFinite(wanted) || wanted < 1 || wanted > MAX) {
      return;
    }
    var current = rows.querySelectorAll("[data-stand-row]");
    for (var i = current.length; i < wanted; i += 1) {
      addRow();
    }
    for (var j = current.length - 1; j >= wanted; j -= 1) {
      current[j].remove();
    }
  }

  count.addEventListener("input", sync);
  count.addEventListener("change", sync);
})();
