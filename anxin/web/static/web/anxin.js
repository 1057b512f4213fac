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
// The checkout's quantity stepper: <div data-stepper> around a number field with min and max,
// its − and + buttons (hidden until this runs, so that without script the field alone works)
// and the total, <[data-total]>, of the field's data-unit-fen times the quantity. The server
// still checks the quantity.
(function () {
  function yuan(fen) {
    var whole = Math.floor(fen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = (fen % 100).toString();
    return "¥" + whole + "." + (cents.length < 2 ? "0" + cents : cents);
  }
  function bounds(input) {
    var min = parseInt(input.getAttribute("min"), 10);
    var max = parseInt(input.getAttribute("max"), 10);
    return { min: isNaN(min) ? 1 : min, max: isNaN(max) ? Infinity : max };
  }
  function refresh(box) {
    var input = box.querySelector("input");
    var b = bounds(input);
    var n = parseInt(input.value, 10);
    var less = box.querySelector("[data-step='-1']");
    var more = box.querySelector("[data-step='1']");
    less.disabled = isNaN(n) || n <= b.min;
    more.disabled = !isNaN(n) && n >= b.max;
    var total = input.form && input.form.querySelector("[data-total]");
    var unit = parseInt(input.getAttribute("data-unit-fen"), 10);
    if (total && !isNaN(unit) && !isNaN(n) && n >= b.min && n <= b.max) {
      total.textContent = yuan(unit * n);
    }
  }
  function setUp() {
    var boxes = document.querySelectorAll("[data-stepper]");
    Array.prototype.forEach.call(boxes, function (box) {
      var input = box.querySelector("input");
      Array.prototype.forEach.call(box.querySelectorAll("[data-step]"), function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var b = bounds(input);
          var n = parseInt(input.value, 10);
          if (isNaN(n)) n = b.min;
          n += parseInt(button.getAttribute("data-step"), 10);
          input.value = String(Math.min(b.max, Math.max(b.min, n)));
          refresh(box);
        });
      });
      input.addEventListener("input", function () { refresh(box); });
      refresh(box);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
// The checkout's saved addresses: each is a link (?address=<id>) that reloads the checkout
// with it filled in; with script, a tap fills the fields in place (still editable).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  var pick = target.closest("[data-address-pick]");
  if (!pick) return;
  var form = pick.closest("form");
  if (!form) return;
  event.preventDefault();
  form.elements.namedItem("recipient_name").value = pick.getAttribute("data-name");
  form.elements.namedItem("recipient_phone").value = pick.getAttribute("data-phone");
  form.elements.namedItem("shipping_address").value = pick.getAttribute("data-address");
  Array.prototype.forEach.call(form.querySelectorAll("[data-address-pick]"), function (a) {
    a.setAttribute("aria-current", a === pick ? "true" : "false");
  });
});
// "Copy link": <button data-copy="#field" data-copied="…" data-copy-failed="…"> copies the
// field's text with the Clipboard API; where that is missing or refused (an old WebView, a
// page not served over HTTPS) the text is selected in its read-only field for the reader to
// copy. Either way the [data-copy-status] beside it says what happened.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  var button = target.closest("[data-copy]");
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  if (!field) return;
  var box = button.closest("[data-share]") || document;
  var status = box.querySelector("[data-copy-status]");
  function say(text) { if (status) status.textContent = text; }
  function fallback() {
    field.focus();
    field.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
    say(button.getAttribute(copied ? "data-copied" : "data-copy-failed"));
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(function () {
      field.select();
      say(button.getAttribute("data-copied"));
    }, fallback);
  } else {
    fallback();
  }
});
// WeChat Pay inside WeChat (JSAPI): <button data-wechat-pay="{signed parameters}" data-done="url">
// asks WeChat's bridge to pay, then goes back to the order (which polls for the provider's
// word). Outside WeChat the bridge does not exist: the page says to open it in WeChat.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (!(target instanceof Element)) return;
  var button = target.closest("[data-wechat-pay]");
  if (!button) return;
  var done = button.getAttribute("data-done");
  if (typeof window.WeixinJSBridge === "undefined") {
    var only = document.querySelector("[data-wechat-only]");
    if (only) only.hidden = false;
    return;
  }
  var params = JSON.parse(button.getAttribute("data-wechat-pay"));
  window.WeixinJSBridge.invoke("getBrandWCPayRequest", params, function () {
    window.location.assign(done);
  });
});
// The top menu scrolls sideways on a phone when its links do not fit (English is longer): its
// edge fades where more links hide, so that a person sees there is more to swipe to.
(function () {
  function mark(nav) {
    var more = [];
    if (nav.scrollLeft > 1) more.push("left");
    if (nav.scrollLeft + nav.clientWidth < nav.scrollWidth - 1) more.push("right");
    nav.setAttribute("data-more", more.join(" "));
  }
  function setUp() {
    var nav = document.querySelector("header.top nav");
    if (!nav) return;
    mark(nav);
    nav.addEventListener("scroll", function () { mark(nav); }, { passive: true });
    window.addEventListener("resize", function () { mark(nav); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
// File inputs in the page's language: a browser draws its own "Choose Files / No file chosen"
// in its own language (English on a Chinese page). Each <input type=file> is kept (the form
// sends it, keyboards and screen readers reach it, without script it works alone) but made
// transparent over a face that says the same in the page's words: a button, "选择文件" or
// "选择照片" (images only), and what was chosen. The words come from <body data-file-*>
// (gettext, in base.html). An input marked data-native-file is left as it is. An optional
// input gets a button to clear the choice.
(function () {
  var count = 0;
  function words() {
    var d = document.body.dataset;
    return {
      choose: d.fileChoose, chooseMany: d.fileChooseMany, photo: d.photoChoose,
      photoMany: d.photoChooseMany, none: d.fileNone, chosen: d.filesChosen, clear: d.fileClear
    };
  }
  function imagesOnly(input) {
    var types = (input.getAttribute("accept") || "").split(",").map(function (t) {
      return t.trim();
    }).filter(function (t) { return t; });
    return types.length > 0 && types.every(function (t) { return t.indexOf("image/") === 0; });
  }
  function nameSpan(name, className) {
    var span = document.createElement("span");
    span.setAttribute("translate", "no");
    if (className) span.className = className;
    span.textContent = name;
    return span;
  }
  function refresh(input) {
    var box = input.closest(".file-pick");
    if (!box) return;
    var w = words();
    var status = box.querySelector(".file-pick-status");
    var files = input.files ? Array.prototype.slice.call(input.files) : [];
    status.textContent = "";
    status.classList.toggle("empty", files.length === 0);
    if (files.length === 0) {
      status.textContent = w.none;
    } else if (files.length === 1) {
      status.appendChild(nameSpan(files[0].name));
    } else {
      status.appendChild(document.createTextNode(w.chosen.replace("{n}", String(files.length))));
      status.appendChild(nameSpan(files.map(function (f) { return f.name; }).join(", "),
        "file-pick-names"));
    }
    var clear = box.fileClear;
    if (clear) clear.hidden = files.length === 0;
  }
  function enhance(input) {
    if (input.classList.contains("file-pick-input") || input.hasAttribute("data-native-file")) {
      return;
    }
    var w = words();
    if (!w.none) return;
    count += 1;
    var box = document.createElement("span");
    box.className = "file-pick";
    var face = document.createElement("span");
    face.className = "file-pick-face";
    face.setAttribute("aria-hidden", "true");
    var button = document.createElement("span");
    button.className = "file-pick-button";
    var photos = imagesOnly(input);
    button.textContent = input.multiple ? (photos ? w.photoMany : w.chooseMany)
      : (photos ? w.photo : w.choose);
    var status = document.createElement("span");
    status.className = "file-pick-status";
    status.id = "file-pick-" + count;
    face.appendChild(button);
    face.appendChild(status);
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    box.appendChild(face);
    input.classList.add("file-pick-input");
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);
    if (!input.required && w.clear) {
      // Outside the label: inside it, its words would join the input's name.
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "file-pick-clear";
      clear.textContent = w.clear;
      clear.hidden = true;
      clear.setAttribute("aria-describedby", status.id);
      var after = input.closest("label") || box;
      after.parentNode.insertBefore(clear, after.nextSibling);
      clear.addEventListener("click", function () {
        input.value = "";
        input.dispatchEvent(new Event("change", { bubbles: true }));
        input.focus();
      });
      box.fileClear = clear;
    }
    refresh(input);
  }
  function setUp(root) {
    if (!(root instanceof Element || root instanceof Document)) return;
    if (root instanceof Element && root.matches("input[type=file]")) enhance(root);
    Array.prototype.forEach.call(root.querySelectorAll("input[type=file]"), enhance);
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input instanceof HTMLInputElement && input.classList.contains("file-pick-input")) {
      refresh(input);
    }
  });
  // A form's reset empties its file inputs after the event: their faces follow.
  document.addEventListener("reset", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll(".file-pick-input"), refresh);
    }, 0);
  });
  // Parts of a page that htmx swaps in (the chat after a message is sent) get theirs too.
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  // Back to a page kept in the browser's cache: its inputs may still hold files.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".file-pick-input"), refresh);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
