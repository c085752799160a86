/* The object editor: a thesaurus search that keeps what the editor has typed.
   Without this script the search is a GET of the form's page (typed text not yet saved is lost);
   with it, the page's results are fetched and put in place, and the form stays as it is. */
(function () {
  "use strict";
  var search = document.getElementById("concept-search");
  var results = document.getElementById("concept-results");
  var input = document.getElementById("f-find");
  if (!search || !results || !input) return;
  search.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(search.action, window.location.href);
    url.hash = "";
    url.searchParams.set("find", input.value);
    fetch(url.toString(), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var found = new DOMParser().parseFromString(html, "text/html").getElementById("concept-results");
        if (found) results.replaceChildren.apply(results, Array.from(found.childNodes));
        results.setAttribute("data-found", input.value);
      })
      .catch(function () { search.submit(); });
  });
})();
