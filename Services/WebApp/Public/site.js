// eShop on Swift storefront: the little script the pages use. The pages work without it.
(function () {
  "use strict";

  // A form marked data-once disables its submit buttons once sent, so a double click sends it
  // once (the checkout's idempotency key makes a second send harmless anyway).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  });

  // An order page whose order can still change polls its status and updates itself in place.
  var live = document.querySelector("[data-poll]");
  if (!live) { return; }
  var url = live.getAttribute("data-poll");
  var statusElement = document.getElementById("order-status");
  var historyList = document.getElementById("status-history");
  var reasonElement = document.getElementById("cancel-reason");

  function render(order) {
    statusElement.textContent = order.label;
    statusElement.setAttribute("data-status", order.status);
    historyList.replaceChildren.apply(historyList, order.history.map(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-status", entry.status);
      var time = document.createElement("time");
      time.setAttribute("datetime", entry.at);
      time.textContent = entry.time;
      item.append(entry.label + " ", time);
      return item;
    }));
    reasonElement.textContent = order.cancelReason || "";
    reasonElement.hidden = !order.cancelReason;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (order) {
        if (order) { render(order); }
        // A paid order waits for the shop to ship it: ask less often.
        if (!order || order.live) { setTimeout(poll, order && order.status === "paid" ? 3000 : 1000); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
