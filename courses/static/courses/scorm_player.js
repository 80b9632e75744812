// The SCORM player (issue 14 item 6): scorm-again (courses/vendor/scorm-again.min.js, from the npm registry) is the
// runtime's API, put where the package's SCO looks for it (window.API for SCORM 1.2, window.API_1484_11 for 2004)
// before the SCO is loaded in the frame; it starts from the attempt's stored `cmi` data (resume) and commits to the
// attempt's URL. A commit that completes the lesson shows it at once.
(function () {
  var box = document.getElementById("scorm-player");
  if (!box) { return; }
  var frame = box.querySelector("iframe");
  var data = document.getElementById("scorm-cmi");
  var cmi = data ? JSON.parse(data.textContent || "{}") : {};
  var player = document.getElementById("player");
  function markCompleted() {
    var done = document.querySelector("[data-testid=lesson-completed]");
    if (done && done.hidden) {
      done.textContent = (player && player.dataset.completedLabel) || "\u2713";
      done.hidden = false;
    }
  }
  var settings = {
    autocommit: true,
    autocommitSeconds: 30,
    logLevel: 5,
    dataCommitFormat: "json",
    sendFullCommit: true,
    lmsCommitUrl: box.dataset.commitUrl || false,
    xhrResponseHandler: function (xhr) {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      var ok = xhr.status >= 200 && xhr.status <= 299 && answer && answer.result === true;
      if (ok && answer.completed) { markCompleted(); }
      return ok ? {result: "true", errorCode: 0} : {result: "false", errorCode: 101};
    }
  };
  var api;
  if (box.dataset.version === "1.2") {
    api = new window.Scorm12API(settings);
    api.loadFromJSON(cmi, "");
    window.API = api;
  } else {
    api = new window.Scorm2004API(settings);
    api.loadFromJSON(cmi, "");
    window.API_1484_11 = api;
  }
  frame.src = box.dataset.launchUrl;
})();
