// Upload form: send files or pasted text to POST /api/articles with the
// operator's token, then poll /api/jobs/{id} and show the progress.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var tokenInput = document.getElementById("upload-token");
  var jobBox = document.getElementById("job");
  var bar = document.getElementById("job-progress");
  var statusLine = document.getElementById("job-status");
  var rejections = document.getElementById("job-rejections");
  var doneLinks = document.getElementById("job-done");
  var TOKEN_KEY = "crosswire-token";
  try { tokenInput.value = sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { /* storage off */ }

  function show(text) { statusLine.textContent = text; }  // textContent: never parsed as HTML

  function listRejections(items) {
    rejections.textContent = "";
    (items || []).forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = r.path + ": " + r.reason + (r.detail ? " (" + r.detail + ")" : "");
      rejections.appendChild(li);
    });
  }

  function poll(url) {
    fetch(url, { headers: { "X-Crosswire-Token": tokenInput.value, "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.max = 1;
        bar.value = job.progress || 0;
        jobBox.dataset.status = job.status;
        listRejections(job.rejections);
        if (job.status === "done") {
          var s = job.summary || {};
          bar.value = 1;
          show("Done: " + (s.articles_new || 0) + " new article(s), " + (s.articles_known || 0) +
               " already known; the store now has " + (s.events || 0) + " events and " + (s.stories || 0) + " stories.");
          doneLinks.hidden = false;
        } else if (job.status === "failed") {
          show("Failed: " + (job.error || "unknown error"));
        } else {
          show((job.phase || job.status) + ": " + job.done + " of " + job.total + " article(s)" +
               (job.current ? " — " + job.current : ""));
          setTimeout(function () { poll(url); }, 700);
        }
      })
      .catch(function (err) { show("Lost contact with the server: " + err); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.delete("token");
    try { sessionStorage.setItem(TOKEN_KEY, tokenInput.value); } catch (e) { /* storage off */ }
    jobBox.hidden = false;
    doneLinks.hidden = true;
    bar.removeAttribute("value");
    show("Uploading…");
    fetch(form.action, { method: "POST", body: data,
                         headers: { "X-Crosswire-Token": tokenInput.value, "Accept": "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { jobBox.dataset.status = "refused"; show("Refused: " + res.body.error); return; }
        listRejections(res.body.rejected);
        poll(res.body.status_url);
      })
      .catch(function (err) { show("Upload failed: " + err); });
  });
}());
