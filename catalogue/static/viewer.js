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

  function show(el, canvas, view) {
    if (el.mirador) {
      if (canvas) el.mirador.store.dispatch(window.Mirador.setCanvas(el.id + '-window', canvasId(el, canvas)));
      return Promise.resolve(el.mirador);
    }
    return loadMirador().then(function () { return start(el, canvas, view); });
  }
  window.VitrineViewer = { show: show };  /* the exhibition's dialog (exhibition.js) walks its stops with it */

  /* The view in the address: ?canvas=N&view=x,y,zoom (what "Share this view" writes). */
  function viewFromAddress() {
    var params = new URLSearchParams(location.search);
    var canvas = parseInt(params.get('canvas'), 10) || null;
    var parts = (params.get('view') || '').split(',').map(Number);
    var view = parts.length === 3 && parts.every(isFinite) ? { x: parts[0], y: parts[1], zoom: parts[2] } : null;
    return { canvas: canvas, view: view };
  }

  /* A IIIF Content State 1.0: an Annotation whose target is the canvas (and the region in view),
     base64url-encoded without padding, as the specification recommends for links. */
  function contentState(manifest, canvas, region) {
    var target = { id: canvas, type: 'Canvas', partOf: [{ id: manifest, type: 'Manifest' }] };
    if (region) {
      target = { type: 'SpecificResource', source: target, selector: {
        type: 'FragmentSelector', conformsTo: 'http://www.w3.org/TR/media-frags/', value: 'xywh=' + region.join(',') } };
    }
    var json = JSON.stringify({ '@context': 'http://iiif.io/api/presentation/3/context.json', type: 'Annotation',
                                motivation: ['contentState'], target: target });
    var bytes = new TextEncoder().encode(json);
    var binary = '';
    bytes.forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /* "Share this view": the page with a Content State of the canvas and the region in view. */
  function shareLink(el, page) {
    var state = el.mirador.store.getState();
    var win = state.windows[el.id + '-window'];
    var url = new URL(page);
    if (!win || !win.canvasId) return url.toString();
    var viewer = state.viewers && state.viewers[el.id + '-window'];
    var region = null;
    if (viewer && isFinite(viewer.zoom) && viewer.zoom > 0) {
      var w = 1 / viewer.zoom, h = w * el.clientHeight / Math.max(1, el.clientWidth);
      region = [Math.max(0, viewer.x - w / 2), Math.max(0, viewer.y - h / 2), w, h].map(Math.round);
      if (!(region[2] > 0 && region[3] > 0)) region = null;
    }
    url.searchParams.set('iiif-content', contentState(el.dataset.manifest, win.canvasId, region));
    return url.toString();
  }

  /* A viewer in a dialog (data-lazy: an exhibition's) is started by exhibition.js, also when the address names a stop. */

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

  /* "Open in viewer": a button, or a link carrying the stop's Content State (which works without script too). */
  document.querySelectorAll('[data-open-viewer]:not([data-stop])').forEach(function (button) {  /* [data-stop]: exhibition.js */
    button.addEventListener('click', function (event) {
      event.preventDefault();
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
