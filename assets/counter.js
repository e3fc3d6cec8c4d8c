/* hallq counter console: keyboard shortcuts. A key presses the button that carries it in its
   data-key (Space: call next, R recall, S start, F finish, N no-show, T transfer, P pause),
   unless the clerk is typing in a field or the button is disabled. */
document.addEventListener("keydown", function (event) {
  if (!document.getElementById("counter-call")) { return; }
  if (event.ctrlKey || event.altKey || event.metaKey) { return; }
  const target = event.target;
  const tag = (target && target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || (target && target.isContentEditable)) { return; }
  const key = event.key === " " ? "Space" : event.key.toUpperCase();
  const button = document.querySelector('.counter-btn[data-key="' + key + '"]');
  if (button && !button.disabled) {
    event.preventDefault();
    button.click();
  }
});
