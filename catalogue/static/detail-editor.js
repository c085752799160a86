/* The curator's detail editor: a deep-zoom view of one image (OpenSeadragon, on Vitrine's own Image
   API) with the detail drawn on it as a rectangle (Annotorious). The four number inputs are the truth:
   drawing or adjusting the rectangle fills them, typing in them moves the rectangle, and without
   JavaScript they alone are the form. Each [data-detail-editor] element names its libraries
   (data-openseadragon, data-annotorious, data-annotorious-css) and its image (data-info, data-width,
   data-height; a media choice's radio buttons carry their own). */
(function () {
  'use strict';
  var SIDES = ['x', 'y', 'w', 'h'];
  var ID = '#detail';
  var loading = {};

  function load(url, css) {
    if (!loading[url]) {
      loading[url] = new Promise(function (resolve, reject) {
        var tag = document.createElement(css ? 'link' : 'script');
        if (css) { tag.rel = 'stylesheet'; tag.href = url; } else { tag.src = url; }
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading[url];
  }

  function libraries(root) {
    load(root.dataset.annotoriousCss, true);
    return load(root.dataset.openseadragon).then(function () { return load(root.dataset.annotorious); });
  }

  /* The image the form names now: the checked media choice, else the editor's own. */
  function image(root) {
    var chosen = root.querySelector('input[name="media"]:checked[data-info]') || root;
    return { info: chosen.dataset.info, width: +chosen.dataset.width, height: +chosen.dataset.height };
  }

  function start(root) {
    var inputs = {};
    SIDES.forEach(function (side) { inputs[side] = root.querySelector('[data-region="' + side + '"]'); });
    var whole = root.querySelector('[data-extent="whole"]');
    var detail = root.querySelector('[data-extent="detail"]');
    var draw = root.querySelector('[data-draw]');
    var frame = root.querySelector('[data-detail-viewer]');
    var status = root.querySelector('[data-detail-status]');
    var current = image(root);
    frame.hidden = false;  /* shown before OpenSeadragon measures it, so the whole image fits at first */
    var viewer = window.OpenSeadragon({
      element: frame,
      tileSources: current.info,
      showNavigationControl: false,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      visibilityRatio: 0.5,
    });
    var anno = window.OpenSeadragon.Annotorious(viewer, { disableEditor: true, allowEmpty: true });
    anno.setDrawingTool('rect');

    function numbers() {
      var values = SIDES.map(function (side) { return inputs[side].value === '' ? NaN : Math.round(+inputs[side].value); });
      return values.every(isFinite) && values[2] > 0 && values[3] > 0 ? values : null;
    }

    /* A rectangle in the image's full-size pixels, kept inside the image. */
    function inside(box) {
      var x = Math.min(Math.max(0, Math.round(box[0])), current.width - 1);
      var y = Math.min(Math.max(0, Math.round(box[1])), current.height - 1);
      var w = Math.min(Math.max(1, Math.round(box[2])), current.width - x);
      var h = Math.min(Math.max(1, Math.round(box[3])), current.height - y);
      return [x, y, w, h];
    }

    function fill(box) {
      SIDES.forEach(function (side, i) { inputs[side].value = box[i]; });
      if (detail) detail.checked = true;
      root.dispatchEvent(new CustomEvent('detail-change', { bubbles: true, detail: box }));
    }

    function fromSelector(target) {
      var value = (target.selector && target.selector.value) || '';
      var match = /xywh=(?:pixel:)?([\d.]+),([\d.]+),([\d.]+),([\d.]+)/.exec(value);
      return match ? inside(match.slice(1).map(Number)) : null;
    }

    function annotation(box) {
      return {
        '@context': 'http://www.w3.org/ns/anno.jsonld', type: 'Annotation', id: ID, body: [],
        target: { selector: { type: 'FragmentSelector', conformsTo: 'http://www.w3.org/TR/media-frags/',
                              value: 'xywh=pixel:' + box.join(',') } },
      };
    }

    /* Annotorious 2.7 remembers the rectangle being adjusted as the shape under the mouse, and forgets it
       only when the mouse leaves it: one taken away under the mouse would be 'left' later as a stale
       object (a TypeError in its own handler). So the mouse leaves it first, as far as Annotorious knows. */
    function unhover() {
      var editing = frame.querySelector('.a9s-annotation.editable.selected');
      if (editing) editing.dispatchEvent(new MouseEvent('mouseleave'));
    }

    /* The rectangle drawn from the numbers (or none), ready to be adjusted by its handles. */
    function show() {
      var box = numbers();
      unhover();
      anno.clearAnnotations();
      if (box && !(whole && whole.checked)) {
        anno.setAnnotations([annotation(box)]);
        root.dataset.shown = box.join(',');
      } else {
        delete root.dataset.shown;
      }
      if (status) status.textContent = root.dataset.shown ? status.dataset.drawn.replace('%(region)s', box.join(', ')) : '';
    }

    function drawing(on) {
      anno.setDrawingEnabled(on);
      root.dataset.drawing = on ? 'on' : 'off';
      if (draw) draw.setAttribute('aria-pressed', on ? 'true' : 'false');
    }

    anno.on('createSelection', function (selection) {
      var box = fromSelector(selection.target);
      unhover();
      anno.cancelSelected();
      drawing(false);
      if (box) { fill(box); show(); }
    });
    anno.on('changeSelectionTarget', function (target) {
      var box = fromSelector(target);
      if (box) fill(box);
    });
    anno.on('cancelSelected', function () { show(); });

    SIDES.forEach(function (side) {
      inputs[side].addEventListener('input', function () {
        if (numbers() && detail) detail.checked = true;
        show();
      });
    });
    if (whole) {
      whole.addEventListener('change', function () {
        if (!whole.checked) return;
        SIDES.forEach(function (side) { inputs[side].value = ''; });
        show();
      });
    }
    if (detail) detail.addEventListener('change', function () { if (detail.checked && !numbers()) drawing(true); });
    if (draw) {
      draw.hidden = false;
      draw.addEventListener('click', function () { drawing(root.dataset.drawing !== 'on'); });
    }
    root.querySelectorAll('input[name="media"][data-info]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        current = image(root);
        SIDES.forEach(function (side) {
          inputs[side].value = '';
          inputs[side].max = side === 'x' || side === 'w' ? current.width : current.height;
        });
        if (whole) whole.checked = true;
        anno.clearAnnotations();
        viewer.open(current.info);
      });
    });

    root.detailViewer = viewer;  /* for a test, or a page that wants to zoom to the detail */
    viewer.addHandler('open', function () {
      show();
      drawing(!numbers());
      root.dataset.ready = 'true';
    });
  }

  document.querySelectorAll('[data-detail-editor]').forEach(function (root) {
    if (root.dataset.started) return;
    root.dataset.started = 'true';
    libraries(root).then(function () { start(root); });
  });
})();
