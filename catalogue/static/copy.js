/* "Copy" buttons of the download-and-cite box: the text of the element they name, to the clipboard. */
(function () {
  'use strict';
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.closest('section').querySelector('.copy-status');
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) { status.textContent = button.dataset.copied; }
      });
    });
  });
})();
