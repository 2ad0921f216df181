// Event page: split checked mentions out of the event, or join it with
// another, through POST /api/events/{id}/split|join with the operator's token.
// The correction is stored; the page then shows the event as it now is.
(function () {
  "use strict";
  var form = document.getElementById("correct-form");
  if (!form) { return; }
  var eventId = form.dataset.eventId;
  var tokenInput = document.getElementById("correct-token");
  var statusLine = document.getElementById("correct-status");
  var TOKEN_KEY = "crosswire-token";
  if (!tokenInput) { return; }
  try { tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { /* storage off */ }

  function show(text, state) {
    statusLine.textContent = text;  // textContent: never parsed as HTML
    form.dataset.state = state;
  }

  function send(action, body) {
    show("Saving the correction and resolving again…", "busy");
    try { sessionStorage.setItem(TOKEN_KEY, tokenInput.value); } catch (e) { /* storage off */ }
    fetch("/api/events/" + encodeURIComponent(eventId) + "/" + action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-Crosswire-Token": tokenInput.value },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (res) {
      if (!res.ok) {
        show("Refused: " + (res.data.detail && res.data.detail.msg ? res.data.detail.msg : JSON.stringify(res.data.detail)), "refused");
        return;
      }
      show("Stored.", "done");
      if (res.data.events.indexOf(eventId) >= 0) {
        window.location.reload();  // the event keeps its id: show it as it now is
      } else {
        window.location.assign("/events/" + encodeURIComponent(res.data.events[0]));
      }
    }).catch(function (err) { show("Failed: " + err, "refused"); });
  }

  var split = document.getElementById("split-button");
  if (split) {
    split.addEventListener("click", function () {
      var chosen = Array.prototype.map.call(form.querySelectorAll("input[name=mention]:checked"),
                                            function (box) { return box.value; });
      if (!chosen.length) { show("Check the sentences to take out first.", "refused"); return; }
      send("split", { mentions: chosen });
    });
  }
  document.getElementById("join-button").addEventListener("click", function () {
    var other = document.getElementById("join-other").value.trim();
    if (!other) { show("Give the id of the event to join.", "refused"); return; }
    send("join", { other: other });
  });
}());
