// The review queue: accept / reject / skip a suggestion. A write sends the edit token as
// "Authorization: Bearer" (never a cookie) with a JSON body, so another site cannot make the browser write.
(function () {
  "use strict";
  const tokenInput = document.getElementById("edit-token");
  const counter = document.getElementById("review-counter");
  const KEY = "crossplan-edit-token";
  if (tokenInput) {
    tokenInput.value = window.sessionStorage.getItem(KEY) || "";
    tokenInput.addEventListener("change", function () { window.sessionStorage.setItem(KEY, tokenInput.value.trim()); });
  }

  function remaining() {
    const left = document.querySelectorAll("#queue li.suggestion:not(.done)").length;
    counter.textContent = left + (left === 1 ? " suggestion" : " suggestions") + " waiting";
  }

  function finish(card, text, kind) {
    card.classList.add("done", kind);
    card.querySelector(".outcome").textContent = text;
    card.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    remaining();
  }

  function send(card, action) {
    const token = tokenInput ? tokenInput.value.trim() : "";
    const outcome = card.querySelector(".outcome");
    card.classList.remove("refused");
    outcome.textContent = action === "accept" ? "Writing the link and checking the data…" : "Writing…";
    fetch("/review/" + action, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
      body: JSON.stringify({ from: card.dataset.from, to: card.dataset.to, relation: card.dataset.relation }),
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function ([ok, body]) {
        if (!ok) {
          outcome.textContent = body.error || "refused";
          card.classList.add("refused");
          return;
        }
        finish(card, (action === "accept" ? "Accepted: " : "Rejected: ") + body.link + " (" + body.written + ")", action);
      })
      .catch(function (error) { outcome.textContent = String(error); });
  }

  document.querySelectorAll("#queue li.suggestion").forEach(function (card) {
    card.querySelector("button.accept").addEventListener("click", function () { send(card, "accept"); });
    card.querySelector("button.reject").addEventListener("click", function () { send(card, "reject"); });
    card.querySelector("button.skip").addEventListener("click", function () { finish(card, "Skipped", "skip"); });
  });
})();
