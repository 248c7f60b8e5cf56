/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // Move focus to the error summary so screen readers announce it (GOV.UK pattern).
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }
  // On a phone the main menu folds behind a "Menu" button (without this script it stays open).
  var menuButton = document.querySelector(".site-menu-button");
  var menu = document.getElementById("site-nav");
  if (menuButton && menu && window.matchMedia) {
    var phone = window.matchMedia("(max-width: 47.99rem)");
    var fold = function (folded) {
      menu.classList.toggle("site-nav--folded", folded);
      menuButton.setAttribute("aria-expanded", folded ? "false" : "true");
    };
    var fit = function () { menuButton.hidden = !phone.matches; fold(phone.matches); };
    menuButton.addEventListener("click", function () {
      fold(menuButton.getAttribute("aria-expanded") === "true");
    });
    if (phone.addEventListener) { phone.addEventListener("change", fit); }
    fit();
  }
  // htmx: keep the CSRF token on requests that change state.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
})();
