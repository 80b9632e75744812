// The lesson editor (issue 14 item 5): a toolbar that writes Markdown into the textarea, a live preview rendered by
// the server (POST /api/v1/lessons/preview/, the same sanitised rendering as the lesson), and an image button that
// uploads the image to storage (upload.js) and inserts it. No library; every button is a <button>, reached with Tab
// and moved between with the arrow keys; Ctrl+B and Ctrl+I work in the text.
(function () {
  var gettext = window.gettext || function (text) { return text; };
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  }
  var TOOLS = [
    {name: "bold", text: "B", label: gettext("Bold"), wrap: ["**", "**"], sample: gettext("bold text"), key: "b"},
    {name: "italic", text: "I", label: gettext("Italic"), wrap: ["_", "_"], sample: gettext("italic text"), key: "i"},
    {name: "heading", text: "H", label: gettext("Heading"), line: "## ", sample: gettext("Heading")},
    {name: "link", text: gettext("Link"), label: gettext("Link"), wrap: ["[", "](https://)"], sample: gettext("link text")},
    {name: "list", text: "•", label: gettext("Bulleted list"), line: "- ", sample: gettext("item")},
    {name: "numbered", text: "1.", label: gettext("Numbered list"), line: "1. ", sample: gettext("item")},
    {name: "quote", text: "❝", label: gettext("Quote"), line: "> ", sample: gettext("quotation")},
    {name: "code", text: "</>", label: gettext("Code"), wrap: ["`", "`"], sample: gettext("code")},
    {name: "image", text: gettext("Image"), label: gettext("Image")}
  ];

  function replace(area, start, end, text, selectFrom, selectTo) {
    area.focus();
    area.setRangeText(text, start, end, "end");
    area.setSelectionRange(start + selectFrom, start + selectTo);
    area.dispatchEvent(new Event("input", {bubbles: true}));
  }
  function wrap(area, tool) {
    var start = area.selectionStart, end = area.selectionEnd;
    var inner = area.value.slice(start, end) || tool.sample;
    replace(area, start, end, tool.wrap[0] + inner + tool.wrap[1], tool.wrap[0].length, tool.wrap[0].length + inner.length);
  }
  function prefixLines(area, tool) {
    var start = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1, end = area.selectionEnd;
    var text = area.value.slice(start, end) || tool.sample;
    var lines = text.split("\n").map(function (line, i) {
      return (tool.name === "numbered" ? (i + 1) + ". " : tool.line) + line;
    }).join("\n");
    replace(area, start, end, lines, 0, lines.length);
  }

  function editor(area) {
    var form = area.form;
    var wrapper = document.createElement("div");
    wrapper.className = "md-editor";
    var toolbar = document.createElement("div");
    toolbar.className = "md-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", gettext("Formatting"));
    toolbar.setAttribute("aria-controls", area.id);
    var picker = document.createElement("input");
    picker.type = "file";
    picker.accept = "image/png,image/jpeg,image/webp,image/gif";
    picker.hidden = true;
    picker.setAttribute("data-editor-image", "");
    picker.setAttribute("aria-label", gettext("Image to insert"));
    var buttons = TOOLS.map(function (tool, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "md-tool md-" + tool.name;
      b.textContent = tool.text;
      b.title = tool.label + (tool.key ? " (Ctrl+" + tool.key.toUpperCase() + ")" : "");
      // The accessible name holds the visible text when it is a word or a number (WCAG 2.5.3, "label in name").
      b.setAttribute("aria-label", /[0-9]/.test(tool.text) ? tool.text + " " + tool.label : tool.label);
      b.tabIndex = i === 0 ? 0 : -1;  // one tab stop; the arrow keys move along the toolbar
      b.addEventListener("click", function () {
        if (tool.name === "image") { picker.click(); } else if (tool.wrap) { wrap(area, tool); } else { prefixLines(area, tool); }
      });
      toolbar.appendChild(b);
      return b;
    });
    toolbar.addEventListener("keydown", function (e) {
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      var to = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: buttons.length - 1}[e.key];
      if (to === undefined) { return; }
      e.preventDefault();
      to = (to + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1; buttons[to].tabIndex = 0; buttons[to].focus();
    });
    area.addEventListener("keydown", function (e) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) { return; }
      var tool = TOOLS.filter(function (t) { return t.key === e.key.toLowerCase(); })[0];
      if (tool) { e.preventDefault(); wrap(area, tool); }
    });

    var heading = document.createElement("p");
    heading.className = "md-preview-title";
    heading.id = area.id + "-preview-title";
    heading.textContent = gettext("Preview");
    var preview = document.createElement("div");
    preview.className = "md-preview lesson-body";
    preview.setAttribute("data-testid", "markdown-preview");
    preview.setAttribute("role", "region");
    preview.setAttribute("aria-labelledby", heading.id);
    preview.setAttribute("aria-live", "polite");

    area.parentNode.insertBefore(wrapper, area);
    wrapper.appendChild(toolbar);
    wrapper.appendChild(picker);
    wrapper.appendChild(area);
    wrapper.appendChild(heading);
    wrapper.appendChild(preview);

    var timer = null, sent = null;
    async function render() {
      var text = area.value;
      if (text === sent) { return; }
      sent = text;
      try {
        var r = await fetch(area.dataset.previewUrl, {method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify({markdown: text})});
        var data = await r.json();
        if (text !== area.value) { return; }  // typed meanwhile: the next render shows it
        if (r.ok) { preview.innerHTML = data.html; } else { preview.textContent = (data.error && data.error.message) || ""; }
      } catch (err) {
        sent = null;
        preview.textContent = gettext("The preview is not available right now.");
      }
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 250); });
    render();

    picker.addEventListener("change", function () {
      if (!picker.files.length || !form || !window.moocUploads) { return; }
      var file = picker.files[0];
      var controller = window.moocUploads.controller(form);
      var at = area.selectionEnd;
      controller.start(file, "image", {course: Number(area.dataset.course)}, function (signed) {
        var alt = file.name.replace(/\.[^.]+$/, "").replace(/[\[\]]/g, "");
        var text = "![" + alt + "](" + area.dataset.imageBase + signed.id + "/)";
        var before = at > 0 && area.value[at - 1] !== "\n" ? "\n" : "";
        replace(area, at, at, before + text + "\n", before.length + 2, before.length + 2 + alt.length);
        picker.value = "";
      });
    });
  }
  document.querySelectorAll("textarea[data-markdown-editor]").forEach(editor);
})();
