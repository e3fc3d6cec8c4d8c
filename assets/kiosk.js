/* The kiosk's part in the browser: idle return to the start, the clock, the connection.
   Used by pages/kiosk/page.py through dash_clientside.kiosk. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  kiosk: {
    /* When the screen last changed (a tap, or the server's answer to one). */
    since: function () {
      return Date.now();
    },

    /* Every second: the clock, and back to the start (in the kiosk's first language) after
       the screen's idle limit; a ticket whose printer failed stays at least limits.fault
       seconds, so the visitor can note the number. */
    idle: function (n, state, since, start, timeZone, limits, printing) {
      const nothing = window.dash_clientside.no_update;
      const clock = new Date().toLocaleTimeString("zh-CN", {
        hour: "2-digit", minute: "2-digit", timeZone: timeZone,
      });
      const screen = (state || {}).screen || "home";
      // the start screen in another language than the kiosk's goes back to it too
      const home = screen === "home";
      if (home && (state || {}).lang === (start || {}).lang) { return [nothing, clock]; }
      const limit = (limits || {})[home ? "zone" : screen];
      if (!limit) { return [nothing, clock]; }
      let wait = limit * 1000;
      if (screen === "ticket" && printing === "fault") {
        wait = Math.max(wait, (limits.fault || 0) * 1000);
      }
      if (Date.now() - (since || 0) < wait) { return [nothing, clock]; }
      return [start, clock];
    },

    /* A key of the keypad (pages/kiosk/flow.py KEYS): typed into the state here, at once, so
       a visitor typing faster than the server answers loses no key; "del" (删除) takes the last
       character off; at most 32. */
    key: function (clicks, state) {
      const nothing = window.dash_clientside.no_update;
      const ctx = window.dash_clientside.callback_context;
      const tapped = ctx.triggered_id;
      const pressed = ctx.triggered.length && ctx.triggered[0].value;
      if (!state || state.screen !== "code" || !tapped || !pressed) { return nothing; }
      const code = state.code || "";
      const typed = tapped.key === "del" ? code.slice(0, -1) : (code + tapped.key).slice(0, 32);
      return Object.assign({}, state, {code: typed, error: null, pending: null});
    },

    /* A key of the check-in keypad (pages/kiosk/flow.py BOOKING_KEYS) into the check-in field,
       as the green channel's keypad does: at once, at most 24 characters. */
    bookingKey: function (clicks, state) {
      const nothing = window.dash_clientside.no_update;
      const ctx = window.dash_clientside.callback_context;
      const tapped = ctx.triggered_id;
      const pressed = ctx.triggered.length && ctx.triggered[0].value;
      if (!state || state.screen !== "booking" || !tapped || !pressed) { return nothing; }
      const key = state.key || "";
      const typed = tapped.key === "del" ? key.slice(0, -1) : (key + tapped.key).slice(0, 24);
      return Object.assign({}, state, {key: typed, error: null, said: null, pending: null});
    },

    /* Is the server there, and can it give tickets? */
    health: async function () {
      try {
        const hall = window.location.pathname.match(/^\/h\/[a-z][a-z0-9-]{0,31}(?=\/|$)/);
        const r = await fetch((hall ? hall[0] : "") + "/healthz", {cache: "no-store"});
        return r.ok ? "ok" : "paused";
      } catch (e) {
        return "offline";
      }
    },

    /* A notice over the whole screen while tickets cannot be given: nobody taps into an error. */
    banner: function (health, state, texts) {
      if (health === "ok") { return ["kiosk-banner d-none", ""]; }
      const key = health === "offline" ? "offline" : "paused";
      const en = (state || {}).lang === "en";
      return ["kiosk-banner kiosk-banner-" + key, texts[key][en ? 1 : 0]];
    },
  },
});

/* The ID-card reader and the QR scanner are keyboards to the browser: they type the ID number
   (or the booking code the QR holds) fast and end with Enter. Fast keys are collected here, on
   any screen, and handed to the check-in (kiosk-wedge: pages/kiosk/page.py `scanned`); a pause
   longer than WEDGE_GAP_MS between two keys starts over, so a stray key is never a scan. */
(function () {
  const WEDGE_GAP_MS = 300;
  let typed = "";
  let last = 0;
  let scans = 0;
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("kiosk") || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    const now = Date.now();
    if (now - last > WEDGE_GAP_MS) { typed = ""; }
    last = now;
    if (event.key === "Enter") {
      const key = typed;
      typed = "";
      if (key.length >= 8 && window.dash_clientside && window.dash_clientside.set_props) {
        event.preventDefault();
        scans += 1;
        window.dash_clientside.set_props("kiosk-wedge", {data: {key: key.toUpperCase(), n: scans}});
      }
      return;
    }
    if (/^[0-9A-Za-z]$/.test(event.key)) {
      typed = (typed + event.key).slice(-24);
    }
  }, true);
})();
