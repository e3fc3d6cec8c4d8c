/* hallq: the browser side of live screens (components/live.py): the stream (stream.js), the
   poll while it is down. */
window.dash_clientside = window.dash_clientside || {};
/* A page under a hall (/h/<hall>/display) asks its hall's API (/api/v1/halls/<hall>/…). */
window.hallqApi = function () {
  const hall = window.location.pathname.match(/^\/h\/([a-z][a-z0-9-]{0,31})(?:\/|$)/);
  return hall ? "/api/v1/halls/" + hall[1] : "/api/v1";
};
window.dash_clientside.hallq = Object.assign(window.dash_clientside.hallq || {}, {
  /* Hear the board move on the page's live stream (stream.js); while no stream carries the
     versions, ask whether the board moved once per tick. A small mark shows while the server
     cannot be reached at all. */
  poll: async function (n, pushed, zone, version, markClass) {
    const nothing = window.dash_clientside.no_update;
    const hidden = "live-mark d-none";
    const shown = "live-mark";
    const outputs = window.dash_clientside.callback_context.outputs_list;
    const live = window.hallqLive;
    const query = zone ? "?zone=" + encodeURIComponent(zone) : "";
    const key = window.hallqApi() + query + JSON.stringify(outputs[0].id);
    live.screens = live.screens || {};
    let screen = live.screens[key];
    if (!screen) {
      for (const other of Object.keys(live.screens)) {  /* another page's stream: not needed */
        live.screens[other].close();
        delete live.screens[other];
      }
      const pushId = Object.assign({}, outputs[0].id, { type: "live-push" });
      screen = live.screens[key] = window.hallqStream(
        window.hallqApi() + "/display/stream" + query,
        function () {  /* answered by this callback (screen.version), run again by the push */
          screen.pushes = (screen.pushes || 0) + 1;
          window.dash_clientside.set_props(pushId, { data: screen.pushes });
        });
    }
    if (screen.open && screen.version !== undefined) {
      return [screen.version === version ? nothing : screen.version,
              markClass === hidden ? nothing : hidden];
    }
    live.polls += 1;
    try {
      const response = await fetch(window.hallqApi() + "/display/version" + query,
                                   { cache: "no-store" });
      if (!response.ok) {
        return [nothing, markClass === shown ? nothing : shown];
      }
      const body = await response.json();
      return [body.version === version ? nothing : body.version,
              markClass === hidden ? nothing : hidden];
    } catch (e) {
      return [nothing, markClass === shown ? nothing : shown];
    }
  },
});
