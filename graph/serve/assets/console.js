// The query console: YASGUI on this server's /sparql, the crossplan prefixes declared, saved queries opened with
// their parameters bound by the server (as VALUES, never pasted text).
(function () {
  "use strict";
  const root = document.getElementById("yasgui");
  const endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  const prefixes = JSON.parse(root.dataset.prefixes);
  const prologue = Object.keys(prefixes).map((name) => "PREFIX " + name + ": <" + prefixes[name] + ">").join("\n");
  const start = prologue + "\n\n# Every plan and its title\nSELECT ?plan ?title WHERE {\n  ?plan a cp:Plan ; dcterms:title ?title .\n}\nORDER BY ?plan\n";
  const YasguiClass = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  const yasgui = new YasguiClass(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    persistenceId: null,
    populateFromUrl: true,
    yasqe: { value: start, editorHeight: "320px" },
    yasr: { prefixes: JSON.parse(root.dataset.displayPrefixes), defaultPlugin: "table" },
  });
  window.crossplanConsole = yasgui;

  function message(form, text) {
    let note = form.querySelector(".form-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "form-error";
      note.setAttribute("role", "alert");
      form.appendChild(note);
    }
    note.textContent = text;
  }

  document.querySelectorAll("form.saved").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const parameters = new URLSearchParams(new FormData(form));
      fetch("/queries/" + encodeURIComponent(form.dataset.name) + ".json?" + parameters.toString(), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
        .then(function ([ok, body]) {
          if (!ok) { message(form, body.error || "the query could not be opened"); return; }
          message(form, "");
          const tab = yasgui.getTab();
          tab.setQuery(body.bound || (prologue + "\n" + body.text));
          tab.getYasqe().query();
        })
        .catch(function (error) { message(form, String(error)); });
    });
  });
})();
