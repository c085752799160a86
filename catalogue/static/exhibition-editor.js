/* The exhibition editor (templates/curate/exhibition_editor.html), on top of a page that works without it:
   - what the last action did (the server's sentence in the #announce live region) is said again once the
     page is drawn, so a screen reader announces it, and focus returns to the button that was pressed
     (the address's fragment names it);
   - sections and works are dragged by their handle (SortableJS, served by Vitrine: /assets/sortable.js); a
     drop sends the form with the new order (the form lists its sections and works in document order). */
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  var region = document.getElementById("announce");
  var script = document.currentScript;

  function announce(text) {
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () {
      var p = document.createElement("p");
      p.textContent = text;
      region.appendChild(p);
    }, 150);
  }

  if (region && region.textContent.trim()) announce(region.textContent.trim());

  var target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
  if (target && target.tagName === "BUTTON") {
    if (target.disabled) {  // moved to the top or the bottom: its other button
      var other = document.getElementById(target.id.replace(/-(up|down)$/, function (m, d) { return d === "up" ? "-down" : "-up"; }));
      if (other) target = other;
    }
    target.focus();
  }

  if (!form || typeof window.Sortable === "undefined") return;
  var saving = (script && script.dataset.saving) || "Saving…";
  var button = form.querySelector(".reorder-button");

  function dropped(event) {
    if (event.oldIndex === event.newIndex && event.from === event.to) return;
    announce(saving);
    form.classList.add("saving");
    if (form.requestSubmit) form.requestSubmit(button); else button.click();
  }

  var options = {handle: ".drag-handle", animation: 150, forceFallback: true, fallbackOnBody: true,
                 onEnd: dropped};
  var sections = form.querySelector("[data-sortable=sections]");
  if (sections) window.Sortable.create(sections, Object.assign({draggable: ".section"}, options));
  Array.prototype.forEach.call(form.querySelectorAll("[data-sortable=items]"), function (list) {
    window.Sortable.create(list, Object.assign({draggable: ".item", group: "items"}, options));
  });
  form.setAttribute("data-drag-ready", "");  // the tests wait for it; people never notice
})();
