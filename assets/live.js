/* hallq: the browser side of live screens (components/live.py) and of announcements. */
window.dash_clientside = window.dash_clientside || {};
/* A page under a hall (/h/<hall>/display) asks its hall's API (/api/v1/halls/<hall>/…). */
window.hallqApi = function () {
  const hall = window.location.pathname.match(/^\/h\/([a-z][a-z0-9-]{0,31})(?:\/|$)/);
  return hall ? "/api/v1/halls/" + hall[1] : "/api/v1";
};
window.dash_clientside.hallq = Object.assign(window.dash_clientside.hallq || {}, {
  /* Ask whether the board moved; show a small mark while the server cannot be reached. */
  poll: async function (n, zone, version, markClass) {
    const nothing = window.dash_clientside.no_update;
    const url = window.hallqApi() + "/display/version" +
      (zone ? "?zone=" + encodeURIComponent(zone) : "");
    const hidden = "live-mark d-none";
    const shown = "live-mark";
    try {
      const response = await fetch(url, { cache: "no-store" });
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
