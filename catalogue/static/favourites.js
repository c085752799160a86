/* Favourites, kept in this browser's localStorage (no account): a toggle on object pages and
   cards, and the /favourites page drawn from the stored ids through the JSON API. */
(function () {
  'use strict';
  var KEY = 'vitrine.favourites';
  var LIMIT = 100;
  var script = document.currentScript;
  var label = (script && script.dataset.label) || 'Add to favourites';

  function stored() {
    try {
      var ids = JSON.parse(localStorage.getItem(KEY) || '[]');
      return Array.isArray(ids) ? ids.filter(function (i) { return typeof i === 'string'; }) : [];
    } catch (e) { return []; }
  }
  function store(ids) {
    try { localStorage.setItem(KEY, JSON.stringify(ids.slice(0, LIMIT))); } catch (e) { /* private mode: kept for this page only */ }
  }
  function toggle(id) {
    var ids = stored();
    var at = ids.indexOf(id);
    if (at >= 0) { ids.splice(at, 1); } else { ids.unshift(id); }
    store(ids);
    sync();
  }
  function sync() {
    var ids = stored();
    document.querySelectorAll('[data-favourite]').forEach(function (button) {
      button.setAttribute('aria-pressed', ids.indexOf(button.dataset.favourite) >= 0 ? 'true' : 'false');
    });
  }
  function button(id, name) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'favourite card-favourite';
    b.dataset.favourite = id;
    b.setAttribute('aria-label', name ? label + ': ' + name : label);
    b.setAttribute('aria-pressed', 'false');
    return b;
  }
  function objectId(href) {
    var m = /\/object\/([^/?#]+)/.exec(href || '');
    return m ? decodeURIComponent(m[1]) : null;
  }

  /* every card: a toggle beside its link */
  document.querySelectorAll('li.card').forEach(function (card) {
    var link = card.querySelector('a[href*="/object/"]');
    var id = link && objectId(link.getAttribute('href'));
    if (!id || card.querySelector('[data-favourite]')) { return; }
    var title = card.querySelector('.title');
    card.appendChild(button(id, title ? title.textContent : ''));
  });
  document.querySelectorAll('[data-favourite][hidden]').forEach(function (b) { b.hidden = false; });
  document.addEventListener('click', function (event) {
    var b = event.target.closest && event.target.closest('[data-favourite]');
    if (b) { toggle(b.dataset.favourite); }
  });
  window.addEventListener('storage', function (event) { if (event.key === KEY) { sync(); } });
  sync();

  /* the /favourites page of this browser's own list */
  var list = document.querySelector('[data-favourites]:not([data-shared])');
  if (!list) { return; }
  var grid = list.querySelector('.favourite-cards');
  var empty = list.querySelector('.empty');
  var share = list.querySelector('.share-favourites');
  var lang = list.dataset.language || 'en';
  var ids = stored();
  if (!ids.length) {
    empty.textContent = list.dataset.empty;
    empty.hidden = false;
    return;
  }
  function pick(map) {
    if (!map) { return ''; }
    var values = map[lang] || map.en || map.none || map[Object.keys(map)[0]] || [];
    return values.join(' ');
  }
  function card(record) {
    var li = document.createElement('li');
    li.className = 'card';
    var a = document.createElement('a');
    a.href = '/object/' + encodeURIComponent(record.id);
    var thumb = document.createElement('span');
    thumb.className = 'thumb';
    var media = (record.links && record.links.media) || {};
    var info = Object.keys(media).map(function (k) { return media[k]; })
      .filter(function (u) { return /\/info\.json$/.test(u); })[0];
    if (info) {
      var img = document.createElement('img');
      img.src = info.replace(/\/info\.json$/, '/full/400,/0/default.jpg');
      img.alt = pick(record.label);
      img.loading = 'lazy';
      thumb.appendChild(img);
    }
    var text = document.createElement('span');
    text.className = 'text';
    var title = document.createElement('span');
    title.className = 'title';
    title.textContent = pick(record.label);
    text.appendChild(title);
    var makers = (record.creators || []).map(function (c) { return c.name; }).join(', ');
    if (makers || record.date) {
      var by = document.createElement('span');
      by.className = 'muted';
      by.textContent = [makers, record.date].filter(Boolean).join(' · ');
      text.appendChild(by);
    }
    a.appendChild(thumb);
    a.appendChild(text);
    li.appendChild(a);
    li.appendChild(button(record.id, title.textContent));
    return li;
  }
  Promise.all(ids.map(function (id) {
    return fetch('/api/objects/' + encodeURIComponent(id), { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  })).then(function (records) {
    var found = records.filter(Boolean);
    found.forEach(function (record) { grid.appendChild(card(record)); });
    grid.hidden = !found.length;
    if (!found.length) { empty.textContent = list.dataset.empty; empty.hidden = false; return; }
    var input = share.querySelector('input');
    input.value = location.origin + '/favourites?ids=' + found.map(function (r) { return encodeURIComponent(r.id); }).join(',');
    share.hidden = false;
    sync();
  });
})();
