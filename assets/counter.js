/* hallq counter console, in the browser.

   Keys: a key presses the button that carries it in its data-key (Space: call next, R recall,
   S start, F finish, N no-show, U undo the no-show, T transfer, P pause; Ctrl+Z undoes too), and
   C goes to the number to call (特呼). They work wherever the focus is (a radio, a select, a
   button) except in a field one types into: there the keys are the field's. The key is taken
   before the focused control sees it (capture), so a select does not jump to an option and a
   focused button is not pressed by Space instead. A key held down acts once. Enter in the
   promised date finishes. (The transfer's targets are native selects: Dash's own dropdown opens
   on a key's release with the key typed into its search, and hides a focusable field from
   assistive technology.)

   The undo's countdown runs here, from the seconds the server gave when it drew the button; the
   server decides all the same. A callback request the input gate refuses is said on the page. */
(function () {
  "use strict";

  const TYPED = ["text", "search", "tel", "email", "number", "password", "url", "date",
    "datetime-local", "month", "week", "time"];

  function onConsole() { return document.getElementById("counter-call") !== null; }

  function typingIn(target) {
    if (!target) { return false; }
    if (target.isContentEditable || target.tagName === "TEXTAREA") { return true; }
    if (target.tagName !== "INPUT") { return false; }
    return TYPED.includes((target.getAttribute("type") || "text").toLowerCase());
  }

  function usable(button) {
    return button && !button.disabled && button.offsetParent !== null;
  }

  function press(event, button) {
    event.preventDefault();
    event.stopPropagation();
    if (usable(button)) { button.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (!onConsole() || event.altKey || event.metaKey || event.isComposing) { return; }
    const target = event.target;
    if (typingIn(target)) {
      if (event.key === "Enter" && target.id === "counter-promised") {
        press(event, document.getElementById("counter-finish"));
      }
      return;
    }
    if (event.ctrlKey) {
      if (event.key === "z" || event.key === "Z") {
        press(event, document.getElementById("counter-undo"));
      }
      return;
    }
    const key = event.key === " " ? "Space" : event.key.toUpperCase();
    if (key === "C") {
      event.preventDefault();
      event.stopPropagation();
      const field = document.getElementById("counter-special-number");
      if (field) { field.focus(); field.select(); }
      return;
    }
    const button = document.querySelector('.counter-btn[data-key="' + key + '"]');
    if (!button) { return; }
    if (event.repeat) { event.preventDefault(); event.stopPropagation(); return; }
    press(event, button);
  }, true);

  // --- the undo's countdown ---------------------------------------------------------------------
  let shown = null;  // {key, deadline}
  setInterval(function () {
    const button = document.getElementById("counter-undo");
    const box = document.getElementById("counter-undo-box");
    const left = document.getElementById("counter-undo-left");
    if (!button || !box || !left || box.classList.contains("d-none") || !button.value) {
      shown = null;
      return;
    }
    if (!shown || shown.key !== button.value) {
      const seconds = parseInt(left.textContent, 10) || 0;
      shown = {
        key: button.value,
        deadline: Date.now() + seconds * 1000,
        unit: left.textContent.replace(/^\d+/, ""),
      };
      box.classList.remove("counter-undo-over");
    }
    const remaining = Math.ceil((shown.deadline - Date.now()) / 1000);
    if (remaining > 0) {
      left.textContent = remaining + shown.unit;
    } else {
      box.classList.add("counter-undo-over");
      button.disabled = true;
    }
  }, 200);

  // --- what the input gate refused --------------------------------------------------------------
  const original = window.fetch;
  window.fetch = function (resource) {
    const url = String((resource && resource.url) || resource || "");
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 400 && onConsole() && url.includes("_dash-update-component")) {
        response.clone().json().then(function (body) {
          const place = document.getElementById("counter-gate");
          if (place && body && body.error && body.error.message) {
            place.textContent = body.error.message;
            place.classList.add("counter-gate-shown");
            setTimeout(function () { place.classList.remove("counter-gate-shown"); }, 8000);
          }
        }).catch(function () {});
      }
      return response;
    });
  };
})();
