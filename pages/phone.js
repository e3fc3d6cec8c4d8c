/* hallq: the phone page (/t/<id>). The page arrives with the ticket already in it; this asks for
   the ticket again whenever the board of its zone moves (the zone's live stream, stream.js, which
   the page inlines before this) or, while no stream is open, every few seconds; puts the new words
   in place, changes the tab's title, and when the ticket is called rings (if the visitor tapped to
   allow it) and vibrates. */
(function () {
  "use strict";
  var page = document.getElementById("phone");
  if (!page) { return; }
  var ticket = page.getAttribute("data-ticket");
  var lang = page.getAttribute("data-lang");
  var base = page.getAttribute("data-base") || "";  /* "/h/<hall>" for a hall's page */
  var api = page.getAttribute("data-api") || "/api/v1";
  var every = parseInt(page.getAttribute("data-refresh"), 10) || 5000;
  var state = page.getAttribute("data-state") || "";
  var audio = null;

  function $(id) { return document.getElementById(id); }

  function beep() {
    if (!audio) { return; }
    var t = audio.currentTime;
    [0, 0.45, 0.9].forEach(function (at, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = i === 2 ? 1046 : 880;
      gain.gain.setValueAtTime(0.0001, t + at);
      gain.gain.exponentialRampToValueAtTime(0.5, t + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + at + 0.38);
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start(t + at);
      osc.stop(t + at + 0.4);
    });
  }

  function alertVisitor() {
    beep();
    if (navigator.vibrate) { navigator.vibrate([300, 150, 300, 150, 300]); }
    window.hallqAlerted = (window.hallqAlerted || 0) + 1;
  }

  var soundButton = $("phone-sound-btn");
  if (soundButton) {
    soundButton.addEventListener("click", function () {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) {
        $("phone-sound-state").textContent = soundButton.getAttribute("data-none");
        return;
      }
      audio = audio || new Context();
      if (audio.resume) { audio.resume(); }
      beep();
      if (navigator.vibrate) { navigator.vibrate(80); }
      soundButton.hidden = true;
      $("phone-sound-state").textContent = soundButton.getAttribute("data-on");
    });
  }

  function rate(score) {
    var comment = $("phone-comment");
    var message = $("phone-rate-message");
    var body = { score: score };
    if (comment && comment.value.trim()) { body.comment = comment.value; }
    fetch(api + "/tickets/" + encodeURIComponent(ticket) + "/rating", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (answer) { return [r.ok || r.status === 409, answer]; });
    }).then(function (result) {
      if (result[0]) {
        $("phone-rating").innerHTML = page.getAttribute("data-thanks");
      } else if (message) {
        message.textContent = (result[1].error && result[1].error.message) || "";
      }
    }).catch(function () {
      if (message) { message.textContent = $("phone-offline").textContent; }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-score]");
    if (button) { rate(parseInt(button.getAttribute("data-score"), 10)); }
  });

  /* The zone's stream: a change there may be this ticket's call, or one fewer ahead. Many phones
     follow one zone, so each asks at most once every GAP_MS, spread over a second. */
  var GAP_MS = 3000;
  var followed = null;
  var followedUrl = "";
  var askedAt = 0;
  var soon = null;
  function follow(url) {
    if (url === followedUrl || !window.hallqStream) { return; }
    if (followed) { followed.close(); }
    followed = null;
    followedUrl = url;
    if (!url) { return; }
    var seen = null;
    followed = window.hallqStream(url, function (version) {
      if (seen !== null && version !== seen && !soon) {
        var wait = Math.max(0, askedAt + GAP_MS - Date.now()) + Math.random() * 1000;
        soon = window.setTimeout(function () { soon = null; refresh(); }, wait);
      }
      seen = version;
    });
  }

  function refresh() {
    askedAt = Date.now();
    fetch(base + "/t/" + encodeURIComponent(ticket) + "/now?lang=" + lang, { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (now) {
        $("phone-offline").hidden = true;
        $("phone-body").innerHTML = now.body;
        document.title = now.title;
        if (now.state !== state) {
          var called = now.state.indexOf("called") === 0;
          var wasCalled = state.indexOf("called") === 0;
          $("phone-rating").innerHTML = now.rating;
          $("phone-sound").hidden = !now.sound;
          state = now.state;
          page.setAttribute("data-state", state);
          if (called && !wasCalled) { alertVisitor(); }
        }
        follow(now.stream || "");
      })
      .catch(function () { $("phone-offline").hidden = false; });
  }
  function tick() {  /* the poll, while no stream carries the zone's changes */
    if (!followed || !followed.open) {
      if (window.hallqLive) { window.hallqLive.polls += 1; }
      refresh();
    }
    window.setTimeout(tick, every);
  }
  if (ticket) {
    follow(page.getAttribute("data-stream") || "");
    window.setTimeout(tick, every);
  }
})();
