/* Small comforts on every page; everything works without them. */
(function () {
  'use strict';

  /* Focus returns where the visitor acted: the element the address's fragment names (a facet value, the
     results heading), or the chosen value inside a facet it names. The browser only scrolls there. */
  function arrive() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && id !== 'content' ? document.getElementById(id) : null;
    if (target && target.matches('.facet ul')) target = target.querySelector('a.on') || target;
    if (!target || !target.matches('a[href], button, input, select, [tabindex]')) return true;
    target.classList.add('arrived');
    target.addEventListener('blur', function () { target.classList.remove('arrived'); }, { once: true });
    target.focus();
    return document.activeElement === target;
  }
  /* a value in the phone's sheet is shown once the browser has taken the address's fragment: at the latest on load */
  if (!arrive()) window.addEventListener('load', arrive, { once: true });

  /* The phone's filters sheet opens by its address; its button says whether it is open, Escape closes it. */
  var sheet = document.getElementById('filters');
  var toggle = document.querySelector('.filters-toggle');
  function shown() { return sheet && getComputedStyle(sheet).position === 'fixed'; }
  var behind = document.querySelector('.hits-column');
  function mark() {
    var open = shown();
    toggle.setAttribute('aria-expanded', String(open));
    if (behind) behind.inert = open;  /* the sheet covers the results: the keyboard stays in it */
  }
  if (toggle) {
    mark();
    window.addEventListener('hashchange', function () { mark(); arrive(); });
    toggle.addEventListener('click', function (event) {
      if (!shown()) return;  /* open: the link opens it; shown: the same button closes it */
      event.preventDefault();
      location.hash = 'results';
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && shown()) location.hash = 'results';
    });
  }

  /* "Show all" of a long facet: the link shows them by its fragment without script; here, in place. */
  document.querySelectorAll('.facet .show-more').forEach(function (link) {
    var more = link.textContent;
    link.setAttribute('role', 'button');
    link.setAttribute('aria-expanded', 'false');
    link.addEventListener('click', function (event) {
      event.preventDefault();
      var facet = link.closest('.facet');
      var open = facet.classList.toggle('expanded');
      link.textContent = open ? link.dataset.less : more;
      link.setAttribute('aria-expanded', String(open));
    });
  });

  /* A long facet's filter box: asks the facet-values endpoint for the values starting with what is typed,
     within the current search; where it cannot answer, narrows the values the page already lists. The list
     opens up to all its values only with the answer, so it never flashes every value while the answer is
     on its way. */
  document.querySelectorAll('.facet-filter').forEach(function (box) {
    var input = box.querySelector('input');
    var facet = box.closest('.facet');
    var list = facet.querySelector('ul');
    var listed = Array.prototype.slice.call(list.children);
    var said = box.querySelector('[aria-live]');
    var asked = 0;
    var timer;
    box.hidden = false;

    function item(value) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      var check = document.createElement('span');
      var label = document.createElement('span');
      var count = document.createElement('span');
      a.href = value.url || '?' + box.dataset.state + '&' + encodeURIComponent(facet.dataset.facet) + '=' +
        encodeURIComponent(value.value) + '#' + list.id;
      a.rel = 'nofollow';
      check.className = 'check';
      check.setAttribute('aria-hidden', 'true');
      label.className = 'label';
      label.textContent = value.label || value.value;
      count.className = 'count';
      count.textContent = Number(value.count).toLocaleString(document.documentElement.lang);
      a.append(check, label, ' ', count);
      li.append(a);
      return li;
    }
    function show(items) {
      list.replaceChildren.apply(list, items);
      facet.classList.add('filtered');
      said.textContent = box.dataset.found.replace('{n}', String(items.length));
    }
    function narrow(typed) {
      var words = typed.toLocaleLowerCase();
      show(listed.filter(function (li) {
        return li.querySelector('.label').textContent.toLocaleLowerCase().indexOf(words) !== -1;
      }));
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var typed = input.value.trim();
        var mine = ++asked;
        if (!typed) {
          list.replaceChildren.apply(list, listed);
          facet.classList.remove('filtered');
          said.textContent = '';
          return;
        }
        var params = new URLSearchParams(box.dataset.state);
        params.set(box.dataset.param, typed);
        fetch(box.dataset.endpoint + '?' + params.toString(), { headers: { Accept: 'application/json' } })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
          .then(function (data) { if (mine === asked) show(data.values.map(item)); })
          .catch(function () { if (mine === asked) narrow(typed); });
      }, 150);
    });
  });
})();
