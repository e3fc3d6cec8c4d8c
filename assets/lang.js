// The <html> element names the page's language (zh-CN, or en with ?lang=en). The server sets it
// when the page loads (web/document.py); this keeps it right when Dash moves to another address
// without reloading the document.
(function () {
  function follow() {
    var asked = new URLSearchParams(window.location.search).get("lang");
    document.documentElement.lang = asked && asked.toLowerCase().indexOf("en") === 0 ? "en" : "zh-CN";
  }
  window.addEventListener("_dashprivate_pushstate", follow);
  window.addEventListener("popstate", follow);
})();
