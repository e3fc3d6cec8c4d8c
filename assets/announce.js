/* hallq: the lobby screen's voice. A chime, the call in Mandarin, then (if wanted) in English;
   one call at a time, in the order they were made. The browser's own speech is used where it has
   a voice for the language; otherwise the recorded clips in assets/voice/ are played in turn.
   Lobby PCs run Chromium with --autoplay-policy=no-user-gesture-required (see README). */
(function () {
  const queue = [];
  const seen = new Set();
  let primed = false;
  let busy = false;
  let chimeUrl = null;

  function play(url) {
    return new Promise(function (resolve) {
      const audio = new Audio(url);
      audio.onended = resolve;
      audio.onerror = resolve;
      const started = audio.play();
      if (started && started.catch) { started.catch(resolve); }
    });
  }

  function voiceFor(lang) {
    if (!window.speechSynthesis) { return null; }
    const voices = window.speechSynthesis.getVoices();
    return voices.find(function (v) { return v.lang.toLowerCase().startsWith(lang); }) || null;
  }

  function speak(text, lang) {
    return new Promise(function (resolve) {
      const voice = voiceFor(lang);
      if (!voice) { resolve(false); return; }
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      utterance.onend = function () { resolve(true); };
      utterance.onerror = function () { resolve(false); };
      window.speechSynthesis.speak(utterance);
    });
  }

  async function say(text, lang, clips) {
    if (await speak(text, lang)) { return; }
    for (const clip of clips) { await play(clip); }
  }

  async function run() {
    if (busy) { return; }
    busy = true;
    while (queue.length) {
      const item = queue.shift();
      window.hallqSpoken = (window.hallqSpoken || []).concat([item.key]);
      if (!item.mute) {
        if (chimeUrl) { await play(chimeUrl); }
        await say(item.zh, "zh", item.zh_clips);
        if (item.english) { await say(item.en, "en", item.en_clips); }
      }
    }
    busy = false;
  }

  /* Called with the latest calls, newest first. Calls already on the board when the screen
     starts are not spoken; every later call (and every recall: a new key) is, once. */
  window.hallqAnnounce = function (calls, options) {
    chimeUrl = options.chime;
    const fresh = (calls || []).filter(function (c) { return !seen.has(c.key); });
    fresh.forEach(function (c) { seen.add(c.key); });
    if (!primed) { primed = true; return; }
    fresh.reverse().forEach(function (c) {
      queue.push(Object.assign({ mute: options.mute, english: options.english }, c));
    });
    run();
  };
})();
