/* hallq: follow a board's version over its live stream (server-sent events, api/stream.py).
   hallqStream(url, onVersion) opens the stream and calls onVersion(version) on every change; its
   answer's `open` says whether the stream is carrying the versions now. While it is not (refused,
   cut, silent for three heartbeats) the caller polls; the stream is tried again by itself. Used
   by the Dash screens (live.js) and by the phone page, which inlines this file. */
(function () {
  "use strict";
  var live = window.hallqLive = window.hallqLive || {};
  live.events = live.events || 0;   /* versions heard on streams (tests count them) */
  live.polls = live.polls || 0;     /* polls made while no stream carried the versions */
  live.retryMs = live.retryMs || 5000;
  var SILENT_MS = 50000;            /* three heartbeats of 15 s, and some */

  window.hallqStream = function (url, onVersion) {
    /* version: the last version heard (the caller's); heardAt: when the stream last spoke */
    var state = { open: false, version: undefined, heardAt: 0, failures: 0, source: null,
                  closed: false };
    function later() {
      state.failures += 1;
      var wait = Math.min(live.retryMs * Math.pow(2, state.failures - 1), 60000);
      window.setTimeout(connect, wait * (0.75 + Math.random() / 2));
    }
    function connect() {
      if (state.closed || typeof window.EventSource === "undefined") { return; }
      var source = state.source = new window.EventSource(url);
      function heard() { state.heardAt = Date.now(); state.failures = 0; }
      source.addEventListener("board", function (event) {
        var data;
        try { data = JSON.parse(event.data); } catch (e) { return; }
        heard();
        state.open = true;
        state.version = data.version;
        live.events += 1;
        onVersion(data.version);
      });
      source.addEventListener("ping", heard);
      source.onerror = function () {
        state.open = false;
        /* CONNECTING: the browser reconnects by itself (the stream's retry); CLOSED: refused */
        if (source.readyState === window.EventSource.CLOSED && state.source === source) {
          later();
        }
      };
    }
    state.close = function () {
      state.closed = true;
      state.open = false;
      if (state.source) { state.source.close(); }
    };
    window.setInterval(function () {  /* a stream that went silent is taken for dead */
      if (state.open && Date.now() - state.heardAt > SILENT_MS) {
        state.open = false;
        state.source.close();
        later();
      }
    }, 1000);
    /* Leaving the page closes its stream at once: a page kept for the back button (the
       browser's back-forward cache) would otherwise hold one of the few connections a browser
       opens to a server, and the next page's requests would queue behind it. */
    window.addEventListener("pagehide", function () {
      state.open = false;
      if (state.source) { state.source.close(); }
    });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && !state.closed) { connect(); }
    });
    connect();
    return state;
  };
})();
