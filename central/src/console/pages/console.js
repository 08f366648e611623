// Citizen Window console: keeps the fleet table live. The server sends each kiosk's row again
// (server-sent events from /fleet/events) when it changes: a heartbeat that changes what the
// row shows, a kiosk going silent, a revocation, a new label, a resident calling for staff (with a
// sound) or the call answered.
(function () {
  "use strict";
  var rows = document.getElementById("fleet-rows");
  var status = document.getElementById("live-status");
  if (!rows || !window.EventSource) return;
  function say(text) { if (status) status.textContent = text; }

  // Kiosks with problems stay above the others.
  function place(row, hasProblem) {
    if (hasProblem) { rows.insertBefore(row, rows.firstElementChild); return; }
    var after = null;
    for (var i = 0; i < rows.children.length; i++) {
      var other = rows.children[i];
      if (other !== row && other.getAttribute("data-problem") === "1") after = other;
    }
    rows.insertBefore(row, after ? after.nextElementSibling : rows.firstElementChild);
  }

  // A resident calling for staff: two short tones (once the page has been clicked: browsers play
  // no sound before), and a bell in the tab's title.
  function chime() {
    document.title = "\uD83D\uDD14 " + document.title.replace(/^\uD83D\uDD14 /, "");
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      var audio = chime.audio || (chime.audio = new Context());
      [0, 0.35].forEach(function (at) {
        var tone = audio.createOscillator(), volume = audio.createGain(), start = audio.currentTime + at;
        tone.frequency.value = 880;
        volume.gain.setValueAtTime(0.25, start);
        volume.gain.exponentialRampToValueAtTime(0.001, start + 0.3);
        tone.connect(volume);
        volume.connect(audio.destination);
        tone.start(start);
        tone.stop(start + 0.3);
      });
    } catch (e) { /* no sound device: the row and the title still say it */ }
  }

  var events = new EventSource("/fleet/events");
  events.addEventListener("row", function (message) {
    var change = JSON.parse(message.data);
    var holder = document.createElement("tbody");
    holder.innerHTML = change.html; // rendered and escaped by the server
    var row = holder.firstElementChild;
    var old = document.getElementById("k-" + change.id);
    var calling = row.getAttribute("data-help") === "1";
    if (calling && !(old && old.getAttribute("data-help") === "1")) chime();
    if (!old) {
      // A kiosk of another page: one that has a problem now joins the first page's top.
      if (change.problem && rows.getAttribute("data-page") === "1") rows.insertBefore(row, rows.firstElementChild);
      return;
    }
    var had = old.getAttribute("data-problem") === "1";
    rows.replaceChild(row, old);
    if (change.problem !== had) place(row, change.problem);
  });
  events.addEventListener("reload", function () { window.location.reload(); });
  events.addEventListener("ended", function () {
    events.close();
    say("会话已结束，请重新登录。 The session has ended: sign in again.");
  });
  events.onopen = function () { say("实时更新中 Live"); };
  events.onerror = function () {
    say(events.readyState === EventSource.CLOSED
      ? "实时更新已停止，请刷新页面。 Live updates stopped: reload the page."
      : "正在重新连接… Reconnecting…");
  };
})();
