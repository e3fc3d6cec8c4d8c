/* Dash's date picker puts aria-haspopup and aria-expanded on the <div> around its input, a div
   with no role, where ARIA does not allow them (axe: aria-allowed-attr, critical). The input
   inside is what takes focus and opens the calendar, and it stays labelled; the two attributes
   are taken off the div whenever the picker sets them. */
(function () {
  var WRAPPER = ".dash-datepicker [id$='-wrapper']";
  function tidy(root) {
    (root.querySelectorAll ? root.querySelectorAll(WRAPPER) : []).forEach(function (div) {
      if (div.getAttribute("role")) { return; }
      div.removeAttribute("aria-haspopup");
      div.removeAttribute("aria-expanded");
    });
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      var target = change.target;
      if (change.type === "attributes") {
        if (target.matches && target.matches(WRAPPER)) { tidy(target.parentNode || document); }
      } else {
        tidy(target);
      }
    });
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["aria-haspopup", "aria-expanded"]
  });
})();
