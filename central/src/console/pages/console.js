// Citizen Window console: keeps the fleet table live. The server sends each kiosk's row again
// (server-sent events from /fleet/events) when it changes: a heartbeat that changes what the
// row shows, a kiosk going silent, a revocation or a new label.
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

  var events = new EventSource("/fleet/events");
  events.addEventListener("row", function (message) {
    var change = JSON.parse(message.data);
    var holder = document.createElement("tbody");
    holder.innerHTML = change.html; // rendered and escaped by the server
    var row = holder.firstElementChild;
    var old = document.getElementById("k-" + change.id);
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
