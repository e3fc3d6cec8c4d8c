/* bench_push.py --variant patched: the wallboard as it would be with the stream's own field
   `heard` (stream.js: when the stream last spoke, for its silence check) kept apart from the
   screen's `heard` (live.js: the version the stream brought). As shipped, live.js writes the
   version into the stream state's `heard`, so every 10 s the silence check finds the stream
   "silent" (now - version > 50 s), closes it and the screen polls until it reconnects. This
   wraps hallqStream so that live.js's `heard` lives beside the state, not in it; nothing else
   is changed. Injected before the page's scripts run (Page.addScriptToEvaluateOnNewDocument). */
(function () {
  "use strict";
  var real;
  Object.defineProperty(window, "hallqStream", {
    configurable: true,
    set: function (value) { real = value; },
    get: function () {
      if (!real) { return undefined; }
      return function (url, onVersion) {
        var state = real(url, onVersion);
        var mine = {};
        return new Proxy(state, {
          get: function (target, key) { return key === "heard" ? mine.heard : target[key]; },
          set: function (target, key, value) {
            if (key === "heard") { mine.heard = value; } else { target[key] = value; }
            return true;
          },
        });
      };
    },
  });
})();
