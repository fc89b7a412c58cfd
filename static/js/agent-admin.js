// The agents' ticket page: the article chooser (Django's select2 autocomplete) is named by its
// label. select2 points its box's aria-labelledby at the chosen value alone, which is empty
// until an article is chosen, so screen readers announced an unnamed combobox.
"use strict";
(function () {
  function nameChooser(select, label) {
    var container = select.nextElementSibling; // select2 puts its widget right after the select
    var box = container && container.querySelector(".select2-selection");
    if (!box || box.dataset.named) return false;
    label.id = label.id || select.id + "-label";
    var value = box.getAttribute("aria-labelledby") || "";
    box.setAttribute("aria-labelledby", (label.id + " " + value).trim());
    // The read-only text box showing the chosen article is named by the label too.
    var shown = value && document.getElementById(value);
    if (shown) shown.setAttribute("aria-labelledby", label.id);
    box.dataset.named = "1";
    return true;
  }

  function start() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (!label || nameChooser(select, label)) return;
      // select2 starts on jQuery's ready, which may come after this script: wait for it.
      var observer = new MutationObserver(function () {
        if (nameChooser(select, label)) observer.disconnect();
      });
      observer.observe(select.parentElement, { childList: true });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
