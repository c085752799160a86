/* Small comforts on every page; everything works without them. */
(function () {
  'use strict';
  document.querySelectorAll('form[data-autosubmit] select').forEach(function (select) {
    select.addEventListener('change', function () { select.form.submit(); });
  });
  document.querySelectorAll('.facet .show-more').forEach(function (button) {
    var more = button.textContent;
    button.addEventListener('click', function () {
      var facet = button.closest('.facet');
      var open = facet.classList.toggle('expanded');
      button.textContent = open ? button.dataset.less : more;
    });
  });
  /* On a phone the facets fold away under their heading, until asked for. */
  if (window.matchMedia('(max-width: 800px)').matches) {
    document.querySelectorAll('details.facet-panel').forEach(function (d) { d.open = false; });
  }
})();
