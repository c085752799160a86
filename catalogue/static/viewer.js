/* Mirador on the pages that show IIIF images: an object's manifest, or an exhibition's own manifest
   opened in a dialog. Mirador is loaded only where a viewer is on the page, and on an object page only
   when the visitor reaches for it. Also: the share box, and a visible focus ring on model-viewer. */
(function () {
  'use strict';
  var script = document.currentScript;
  var loading = null;
  var translations = {};
  var narrow = window.matchMedia('(max-width: 800px)');

  /* Mirador's bundle and Vitrine's strings for it (mirador-strings.json, next to this file: complete
     nl, fr and de for every control a visitor meets; Mirador's own are partly English), fetched together. */
  function loadMirador() {
    if (!loading) {
      var bundle = window.Mirador ? Promise.resolve() : new Promise(function (resolve, reject) {
        var tag = document.createElement('script');
        tag.src = script.dataset.mirador;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
      var strings = fetch(new URL('mirador-strings.json', script.src))
        .then(function (answer) { return answer.ok ? answer.json() : {}; })
        .catch(function () { return {}; });
      loading = Promise.all([bundle, strings]).then(function (done) { translations = done[1]; return window.Mirador; });
    }
    return loading;
  }

  /* Mirador's markup made a good guest in Vitrine's page, again after every render: its <main> is a
     region of our <main> (one main landmark per page), and its sidebar's tab bar loses the
     aria-orientation MUI sets on a wrapper with no role (axe-core: aria-allowed-attr, critical); the
     tablist inside keeps its own; its "Mirador viewer" <h1> speaks as a heading of the second level
     (the page's one first-level heading is the work's title). */
  function fitIn(el) {
    el.querySelectorAll('main:not([role])').forEach(function (main) { main.setAttribute('role', 'region'); });
    el.querySelectorAll('h1:not([aria-level])').forEach(function (h) { h.setAttribute('aria-level', '2'); });
    el.querySelectorAll('[aria-orientation]:not([role])').forEach(function (node) { node.removeAttribute('aria-orientation'); });
  }

  function keepFitting(el) {
    fitIn(el);
    new MutationObserver(function () { fitIn(el); })
      .observe(el, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-orientation'] });
  }

  function canvasId(el, number) {
    return el.dataset.manifest + '/canvas/' + number;
  }

  function start(el, canvas, view) {
    var toc = el.dataset.toc === 'true';
    var paged = el.dataset.paged === 'true' && !narrow.matches;  /* on a phone the pages need the height */
    var win = { manifestId: el.dataset.manifest, id: el.id + '-window' };
    if (canvas) win.canvasId = canvasId(el, canvas);
    if (view) win.initialViewerConfig = view;
    el.mirador = window.Mirador.viewer({
      id: el.id,
      language: el.dataset.language,
      translations: translations,
      windows: [win],
      window: {
        allowClose: false, allowMaximize: false, allowFullscreen: true, allowTopMenuButton: true,
        /* an object's work fills the frame, its table of contents one tap away (the sidebar button);
           an exhibition's route stays open beside it where there is room */
        hideWindowTitle: true, sideBarOpen: toc && !!el.dataset.lazy && !narrow.matches, sideBarPanel: toc ? 'canvas' : 'info',
        defaultSidebarPanelWidth: 280,
        panels: { info: true, attribution: true, canvas: true, annotations: false, search: false, layers: false }
      },
      osdConfig: { preserveViewport: false },  /* each stop opens at its own whole view, not the last one's zoom */
      selectedTheme: 'dark',
      workspace: { type: 'single', allowNewWindows: false, isWorkspaceAddVisible: false, draggingEnabled: false, showZoomControls: true },
      workspaceControlPanel: { enabled: false },
      thumbnailNavigation: { defaultPosition: paged ? 'far-bottom' : 'off' }
    });
    keepFitting(el);
    el.classList.add('started');
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

  /* The object page's viewer: the poster (the work, sized for the screen) is what the page paints, and
     Mirador's large bundle (seconds of script on a phone) runs only when the visitor reaches for the
     viewer: pointer over it, a touch, keyboard focus on its button, or an address naming a view. It is
     fetched (not run) once the page is idle, so it starts at once; it takes the poster's box (no shift). */
  function startWhenWanted(el) {
    var started = false;
    var button = el.querySelector('[data-viewer-start]');
    var go = function (event) {
      if (started) return;
      started = true;
      el.classList.add('loading');
      var asked = viewFromAddress();
      var byButton = event && event.type === 'click';
      loadMirador().then(function () {
        start(el, asked.canvas, asked.view);
        if (byButton) focusViewer(el);
      });
    };
    ['pointerenter', 'pointerdown', 'touchstart'].forEach(function (type) {
      el.addEventListener(type, go, { once: true, passive: true });
    });
    if (button) { button.hidden = false; button.addEventListener('click', go); }
    var asked = viewFromAddress();
    if (asked.canvas || asked.view) { go(); return; }
    var idle = window.requestIdleCallback || function (callback) { setTimeout(callback, 200); };
    var prefetch = function () {
      var link = document.createElement('link');
      link.rel = 'prefetch';
      link.href = script.dataset.mirador;
      document.head.appendChild(link);
    };
    if (document.readyState === 'complete') idle(prefetch);
    else window.addEventListener('load', function () { idle(prefetch); }, { once: true });
  }

  /* Who opened the viewer with the keyboard lands on its picture (arrows pan, + and - zoom), once drawn. */
  function focusViewer(el) {
    var tries = 0;
    (function wait() {
      var canvas = el.querySelector('.openseadragon-canvas');
      if (canvas) canvas.focus();
      else if (tries++ < 100) setTimeout(wait, 100);
    })();
  }

  document.querySelectorAll('[data-viewer]:not([data-lazy])').forEach(startWhenWanted);

  /* model-viewer takes focus in its shadow DOM, on a box whose 1-px dark ring is lost on the dark stage
     (and the host never matches :focus-visible): the host shows Vitrine's ring when that box would. */
  function showModelFocus(model) {
    model.addEventListener('focusin', function () {
      var inner = model.shadowRoot && model.shadowRoot.activeElement;
      model.classList.toggle('focus-visible', !!inner && inner.matches(':focus-visible'));
    });
    model.addEventListener('focusout', function () { model.classList.remove('focus-visible'); });
  }

  document.querySelectorAll('model-viewer').forEach(showModelFocus);

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
