/* Anxin's own behaviour, from a file: the Content-Security-Policy runs no inline script or
   event handler (onclick="..."), so pages mark elements with data- attributes instead. */
"use strict";
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  if (target.closest("[data-print]")) {
    window.print();
  }
  var select = target.closest("[data-select-on-click]");
  if (select && typeof select.select === "function") {
    select.select();
  }
});
// A form that moves money for good (confirming receipt releases the escrow to the seller)
// asks first: <form data-confirm="question">. Cancel keeps the form unsent.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
