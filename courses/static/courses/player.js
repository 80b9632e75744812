// The course player (issue 14 item 3): a text lesson is completed when its end is reached; a video resumes
// where the learner stopped, sends the parts really played (seeking does not count) and is completed once
// they cover 90 %; the transcript follows the video and a click on a line seeks there; after a completion the next
// lesson opens in a few seconds unless the learner stays. Everything reads the data-* of #player.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) { return; }
  var token = (player.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  // The outline sits beside the lesson on wide screens; on a phone it starts folded above it.
  var outline = document.querySelector("details.outline");
  if (outline && window.matchMedia("(max-width: 63.99rem)").matches) { outline.open = false; }
  var enrolled = player.dataset.enrolled === "1";
  var completed = player.dataset.completed === "1";

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", keepalive: true,
                       headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                       body: JSON.stringify(body || {})})
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function markCompleted() {
    if (completed) { return; }
    completed = true;
    var done = document.querySelector("[data-testid=lesson-completed]");
    if (done) { done.textContent = player.dataset.completedLabel; done.hidden = false; }
    var form = document.querySelector(".complete-form");
    if (form) { form.hidden = true; }
    advance();
  }

  function advance() {
    var url = player.dataset.nextUrl;
    var status = document.querySelector("[data-testid=auto-advance]");
    if (!url || !status) { return; }
    var seconds = 5;
    var stay = document.createElement("button");
    stay.type = "button";
    stay.textContent = player.dataset.cancelLabel;
    var text = document.createElement("span");
    status.replaceChildren(text, " ", stay);
    var show = function () { text.textContent = player.dataset.nextLabel.replace("{n}", seconds); };
    show();
    var timer = setInterval(function () {
      seconds -= 1;
      if (seconds <= 0) { clearInterval(timer); window.location.assign(url); return; }
      show();
    }, 1000);
    stay.addEventListener("click", function () { clearInterval(timer); status.replaceChildren(); });
  }

  // Text lessons: reaching the end of the text completes them.
  var end = document.getElementById("lesson-end");
  if (end && enrolled && !completed && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        post(player.dataset.completeUrl).then(function (answer) { if (answer && answer.completed) { markCompleted(); } });
      }
    });
    observer.observe(end);
  }

  // Video lessons.
  var video = player.querySelector("video");
  if (!video) { return; }
  var segments = [];  // [start, end] played since the page opened; the server merges them with earlier ones
  var current = null;
  var last = null;
  var sentAt = 0;
  function resume() {
    var at = parseFloat(video.dataset.resume || "0");
    if (at > 0 && at < video.duration - 1) { video.currentTime = at; }
    last = video.currentTime;
  }
  if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume, {once: true}); }
  video.addEventListener("seeking", function () { last = null; current = null; });
  function merged() {
    var sorted = segments.map(function (pair) { return pair.slice(); }).sort(function (a, b) { return a[0] - b[0]; });
    return sorted.reduce(function (out, pair) {
      var tail = out[out.length - 1];
      if (tail && pair[0] <= tail[1]) { tail[1] = Math.max(tail[1], pair[1]); } else { out.push(pair); }
      return out;
    }, []);
  }
  function send() {
    if (!enrolled || !isFinite(video.duration) || video.duration <= 0) { return; }
    if (segments.length > 100) { segments = merged(); current = null; }
    sentAt = Date.now();
    post(player.dataset.progressUrl, {position: video.currentTime, duration: video.duration, segments: merged()})
      .then(function (answer) { if (answer && answer.completed) { markCompleted(); } });
  }
  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (last !== null && !video.seeking) {
      var step = now - last;
      // Played, not jumped: a step no longer than a few timeupdate intervals at this speed.
      if (step > 0 && step <= Math.max(2, 2 * video.playbackRate)) {
        if (current === null) { current = [last, now]; segments.push(current); } else { current[1] = now; }
      } else { current = null; }
    }
    last = now;
    highlight(now);
    if (Date.now() - sentAt > 5000) { send(); }
  });
  ["pause", "ended"].forEach(function (name) { video.addEventListener(name, send); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { send(); } });

  var cues = Array.prototype.slice.call(player.querySelectorAll("button.cue"));
  cues.forEach(function (cue) {
    cue.addEventListener("click", function () { video.currentTime = parseFloat(cue.dataset.start); video.play(); });
  });
  function highlight(now) {
    cues.forEach(function (cue) {
      var on = now >= parseFloat(cue.dataset.start) && now < parseFloat(cue.dataset.end);
      cue.classList.toggle("active", on);
      if (on) { cue.setAttribute("aria-current", "true"); } else { cue.removeAttribute("aria-current"); }
    });
  }
})();
