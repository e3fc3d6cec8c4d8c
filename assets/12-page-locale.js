/* The date pickers speak the page's language, not the browser's: Dash's date picker takes its
   date-fns locale from window.dateFns.locale (the browser's language first, else the first one
   there), so on a Chinese page it finds only zh-CN, on an English page none (date-fns's own
   English). The page's language: <html lang>, else the address's ?lang=. */
(function () {
  var zh = window.dateFns && window.dateFns.locale && window.dateFns.locale.zhCN;
  function english() {
    var asked = new URLSearchParams(window.location.search).get("lang");
    if (asked) { return asked === "en"; }
    return (document.documentElement.lang || "zh").slice(0, 2) === "en";
  }
  if (!document.documentElement.lang) {  // the page's language for assistive technology
    document.documentElement.lang = english() ? "en" : "zh-CN";
  }
  window.dateFns = {};
  Object.defineProperty(window.dateFns, "locale", {
    get: function () { return english() || !zh ? {} : { zhCN: zh }; }
  });
})();
