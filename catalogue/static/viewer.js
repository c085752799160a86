/* Mirador on the pages that show IIIF images: an object's manifest, or an exhibition's own manifest
   opened in a dialog. Mirador is loaded only where a viewer is on the page. */
(function () {
  'use strict';
  var script = document.currentScript;
  var loading = null;

  function loadMirador() {
    if (window.Mirador) return Promise.resolve(window.Mirador);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement('script');
        tag.src = script.dataset.mirador;
        tag.onload = function () { resolve(window.Mirador); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function canvasId(el, number) {
    return el.dataset.manifest + '/canvas/' + number;
  }

  function start(el, canvas, view) {
    var toc = el.dataset.toc === 'true';
    var paged = el.dataset.paged === 'true';
    var win = { manifestId: el.dataset.manifest, id: el.id + '-window' };
    if (canvas) win.canvasId = canvasId(el, canvas);
    if (view) win.initialViewerConfig = view;
    el.classList.add('started');
    el.mirador = window.Mirador.viewer({
      id: el.id,
      language: el.dataset.language,
      windows: [win],
      window: {
        allowClose: false, allowMaximize: false, allowFullscreen: true, allowTopMenuButton: true,
        hideWindowTitle: true, sideBarOpen: toc, sideBarPanel: toc ? 'canvas' : 'info',
        defaultSidebarPanelWidth: 280,
        panels: { info: true, attribution: true, canvas: true, annotations: false, search: false, layers: false }
      },
      osdConfig: { preserveViewport: false },  /* each stop opens at its own whole view, not the last one's zoom */
      selectedTheme: 'dark',
      workspace: { type: 'single', allowNewWindows: false, isWorkspaceAddVisible: false, draggingEnabled: false, showZoomControls: true },
      workspaceControlPanel: { enabled: false },
      thumbnailNavigation: { defaultPosition: paged ? 'far-bottom' : 'off' }
    });
    return el.mirador;
  }

  function show(el, canvas) {
    if (el.mirador) {
      if (canvas) el.mirador.store.dispatch(window.Mirador.setCanvas(el.id + '-window', canvasId(el, canvas)));
      return;
    }
    loadMirador().then(function () { start(el, canvas); });
  }

  /* The view in the address: ?canvas=N&view=x,y,zoom (what "Share this view" writes). */
  function viewFromAddress() {
    var params = new URLSearchParams(location.search);
    var canvas = parseInt(params.get('canvas'), 10) || null;
    var parts = (params.get('view') || '').split(',').map(Number);
    var view = parts.length === 3 && parts.every(isFinite) ? { x: parts[0], y: parts[1], zoom: parts[2] } : null;
    return { canvas: canvas, view: view };
  }

  function shareLink(el, page) {
    var state = el.mirador.store.getState();
    var win = state.windows[el.id + '-window'];
    var url = new URL(page);
    var number = win && win.canvasId ? win.canvasId.split('/canvas/').pop() : null;
    if (number) url.searchParams.set('canvas', number);
    var viewer = state.viewers && state.viewers[el.id + '-window'];
    if (viewer && isFinite(viewer.zoom)) {
      url.searchParams.set('view', [Math.round(viewer.x), Math.round(viewer.y), (+viewer.zoom).toPrecision(4)].join(','));
    }
    return url.toString();
  }

  document.querySelectorAll('[data-viewer]:not([data-lazy])').forEach(function (el) {
    var asked = viewFromAddress();
    if (window.Mirador) start(el, asked.canvas, asked.view);
  });

  document.querySelectorAll('[data-share]').forEach(function (box) {
    var button = box.querySelector('[data-share-view]');
    var input = box.querySelector('input');
    var status = box.querySelector('[role=status]');
    var el = document.querySelector('[data-viewer]');
    button.addEventListener('click', function () {
      input.value = el && el.mirador ? shareLink(el, box.dataset.page) : box.dataset.page;
      input.hidden = false;
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { status.textContent = box.dataset.copied; });
      }
    });
  });

  document.querySelectorAll('[data-open-viewer]').forEach(function (button) {
    button.addEventListener('click', function () {
      var el = document.getElementById(button.dataset.openViewer);
      var dialog = el.closest('dialog');
      if (dialog && !dialog.open) dialog.showModal();
      show(el, parseInt(button.dataset.canvas, 10) || null);
    });
  });

  document.querySelectorAll('[data-close-dialog]').forEach(function (button) {
    button.addEventListener('click', function () { button.closest('dialog').close(); });
  });
})();
