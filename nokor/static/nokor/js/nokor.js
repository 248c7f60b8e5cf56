/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Move focus to the error summary so screen readers announce it (GOV.UK pattern).
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // htmx: keep the CSRF token on requests that change state.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
})();
