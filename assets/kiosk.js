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
