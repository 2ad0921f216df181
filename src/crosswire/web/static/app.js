// Small page helpers (no framework, no build step).
(function () {
  "use strict";
  // Scroll each article box so its first highlighted sentence is in view.
  document.querySelectorAll(".article-text").forEach(function (box) {
    var mark = box.querySelector("mark.evidence");
    if (mark && box.scrollHeight > box.clientHeight) {
      box.scrollTop = Math.max(0, mark.offsetTop - 40);  // .article-text is position: relative
    }
  });
}());
