/* The exhibition page's viewer: a dialog that walks the route stop by stop (its own previous/next
   buttons or Mirador's), the stop's caption beside the work, a 3D stop's model where Mirador would
   draw nothing, the stop number announced, and focus back on the control that opened it.
   Mirador itself is viewer.js's (window.VitrineViewer.show). */
(function () {
  'use strict';
  var script = document.currentScript;
  var dialog = document.getElementById('exhibition-viewer-dialog');
  if (!dialog || !window.VitrineViewer) return;
  var el = document.getElementById('exhibition-viewer');
  var counter = dialog.querySelector('[data-stop-counter]');
  var previous = dialog.querySelector('[data-previous-stop]');
  var next = dialog.querySelector('[data-next-stop]');
  var captions = Array.prototype.slice.call(dialog.querySelectorAll('.stop-caption'));
  var canvases = captions.map(function (c) { return parseInt(c.dataset.canvas, 10); });
  var current = null, opener = null, ready = null, modelViewer = null;

  function loadModelViewer() {
    if (!modelViewer) modelViewer = import(script.dataset.modelViewer);
    return modelViewer;
  }

  /* A 3D stop: the model (when the visitor may have it), drawn once it is first shown. */
  function model(box) {
    if (!box.dataset.src || box.querySelector('model-viewer')) return;
    loadModelViewer().then(function () {
      if (box.querySelector('model-viewer')) return;
      var viewer = document.createElement('model-viewer');
      viewer.setAttribute('src', box.dataset.src);
      viewer.setAttribute('alt', box.dataset.alt);
      viewer.setAttribute('camera-controls', '');
      viewer.setAttribute('touch-action', 'pan-y');
      viewer.setAttribute('shadow-intensity', '1');
      if (box.dataset.poster) viewer.setAttribute('poster', box.dataset.poster);
      box.appendChild(viewer);
    });
  }

  /* The bar, the caption and the model for the canvas in view, however the visitor got there. */
  function shown(canvas) {
    if (canvas === current) return;
    current = canvas;
    var index = canvases.indexOf(canvas);
    var caption = captions[index] || null;
    captions.forEach(function (c) { c.hidden = c !== caption; });
    if (caption) counter.textContent = caption.dataset.label;
    var focused = document.activeElement;
    previous.disabled = index <= 0;
    next.disabled = index < 0 || index >= canvases.length - 1;
    if (focused && focused.disabled) (focused === next ? previous : next).focus();  /* never lose focus to the page */
    dialog.querySelectorAll('.stop-model').forEach(function (box) {
      box.hidden = !caption || box.dataset.stop !== caption.dataset.stop;
      if (!box.hidden) model(box);
    });
  }

  function follow(mirador) {
    mirador.store.subscribe(function () {
      var win = mirador.store.getState().windows[el.id + '-window'];
      if (win && win.canvasId) shown(parseInt(win.canvasId.split('/canvas/').pop(), 10));
    });
    return mirador;
  }

  /* One Mirador, started at the first canvas asked for; later ones wait for it. */
  function view(canvas, region) {
    shown(canvas);
    if (!ready) {
      ready = window.VitrineViewer.show(el, canvas, region).then(follow);
      return;
    }
    /* after the dialog is laid out: OpenSeadragon fits a canvas to the size its frame has then */
    ready.then(function () {
      requestAnimationFrame(function () { requestAnimationFrame(function () { window.VitrineViewer.show(el, canvas); }); });
    });
  }

  function open(canvas, control, region) {
    opener = control;
    if (!dialog.open) dialog.showModal();
    view(canvas, region);
  }

  function step(by) {
    var index = canvases.indexOf(current) + by;
    if (index >= 0 && index < canvases.length) view(canvases[index]);
  }

  previous.addEventListener('click', function () { step(-1); });
  next.addEventListener('click', function () { step(1); });
  dialog.addEventListener('close', function () {
    if (opener && document.contains(opener)) opener.focus();
  });

  document.querySelectorAll('[data-stop][data-open-viewer], [data-zoom-canvas]').forEach(function (control) {
    control.addEventListener('click', function (event) {
      event.preventDefault();
      open(parseInt(control.dataset.canvas || control.dataset.zoomCanvas, 10), control);
    });
  });

  /* The address names a stop (a Content State opened here): ?canvas=N&view=x,y,zoom. */
  var params = new URLSearchParams(location.search);
  var asked = parseInt(params.get('canvas'), 10);
  if (canvases.indexOf(asked) >= 0) {
    var parts = (params.get('view') || '').split(',').map(Number);
    var region = parts.length === 3 && parts.every(isFinite) ? { x: parts[0], y: parts[1], zoom: parts[2] } : null;
    open(asked, document.querySelector('[data-stop][data-canvas="' + asked + '"]'), region);
  }
})();
