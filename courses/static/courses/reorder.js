// Drag and drop reordering of the course builder (issue 14 item 5): modules among modules, lessons within their
// module, by the handle ⠿ (HTML5 drag events). The new order is posted to the API; the ↑/↓ buttons stay for the
// keyboard and for screen readers, which the handle (aria-hidden) is not for.
(function () {
  var gettext = window.gettext || function (text) { return text; };
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
  }
  document.querySelectorAll("[data-reorder]").forEach(function (list) {
    var field = list.dataset.reorder === "modules" ? "module_ids" : "lesson_ids";
    var dragged = null;
    function items() {
      return Array.prototype.filter.call(list.children, function (el) { return el.dataset.id; });
    }
    function itemOf(target) {
      var el = target.closest ? target.closest("[data-id]") : null;
      while (el && el.parentElement !== list) { el = el.parentElement ? el.parentElement.closest("[data-id]") : null; }
      return el;
    }
    list.addEventListener("dragstart", function (e) {
      if (!e.target.classList || !e.target.classList.contains("drag-handle")) { return; }
      var item = itemOf(e.target);
      if (!item) { return; }
      e.stopPropagation();  // a lesson's drag is not its module's
      dragged = item;
      item.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", item.dataset.id);
      e.dataTransfer.setDragImage(item, 10, 10);
    });
    list.addEventListener("dragover", function (e) {
      if (!dragged) { return; }
      var over = itemOf(e.target);
      if (!over) { return; }
      e.preventDefault();
      e.stopPropagation();
      if (over === dragged) { return; }
      var box = over.getBoundingClientRect();
      list.insertBefore(dragged, e.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (e) {
      if (dragged) { e.preventDefault(); e.stopPropagation(); }
    });
    list.addEventListener("dragend", async function (e) {
      if (!dragged) { return; }
      e.stopPropagation();
      dragged.classList.remove("dragging");
      dragged = null;
      var body = {};
      body[field] = items().map(function (el) { return Number(el.dataset.id); });
      var r = await fetch(list.dataset.url, {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()}, body: JSON.stringify(body)});
      if (!r.ok) { window.alert(gettext("The new order could not be saved: reload the page.")); return; }
      list.setAttribute("data-saved", String(Date.now()));
    });
  });
})();
