// Contact form: suggest articles while the customer types (debounced), so the answer can
// arrive before a ticket is filed. Without this script the server shows suggestions on submit.
(function () {
  "use strict";
  var form = document.getElementById("contact-form");
  if (!form || !window.fetch) return;
  var panel = document.getElementById("suggestions");
  var list = document.getElementById("suggestion-list");
  var status = document.getElementById("suggestions-status");
  var sessionField = form.querySelector("[name=session]");
  var subject = form.querySelector("[name=subject]");
  var description = form.querySelector("[name=description]");
  var email = form.querySelector("[name=email]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var placeholder = "00000000-0000-0000-0000-000000000000";
  var DEBOUNCE_MS = 350;
  var timer = null, inflight = null, lastQuery = null;

  // The customer sees suggestions live, so submitting files the request straight away.
  form.querySelector("[data-testid=send-request]").value = "send";

  // Where the suggestions sit: beside the form on a wide screen; on a phone, where that
  // column falls below Send (and the keyboard), right under the description being typed.
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
  var descriptionField = description.closest(".field") || description;
  function placeSuggestions() {
    var anchor = narrow && narrow.matches ? descriptionField : form;
    if (anchor.nextElementSibling !== panel) anchor.insertAdjacentElement("afterend", panel);
    panel.classList.toggle("suggestions-inline", anchor === descriptionField);
  }
  placeSuggestions();
  if (narrow && narrow.addEventListener) narrow.addEventListener("change", placeSuggestions);

  function query() {
    return (subject.value + "\n" + description.value.slice(0, 1000)).trim();
  }

  // Marked text arrives HTML-escaped with only <mark> added (kb/engine/passages.py); it is
  // rebuilt here from text nodes and <mark> elements, never assigned as HTML.
  function appendMarked(parent, marked) {
    var holder = document.createElement("template");
    holder.innerHTML = marked;
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function renderPassage(passage, articleHref) {
    var box = document.createElement("div");
    box.className = "passage passage-" + passage.kind;
    box.setAttribute("data-testid", "passage");
    if (passage.heading) {
      var heading = document.createElement("p");
      heading.className = "passage-heading";
      heading.textContent = passage.heading;
      box.appendChild(heading);
    }
    if (passage.marked_items && passage.marked_items.length) {
      var steps = document.createElement("ol");
      steps.className = "passage-steps";
      passage.marked_items.forEach(function (marked) {
        var step = document.createElement("li");
        appendMarked(step, marked);
        steps.appendChild(step);
      });
      box.appendChild(steps);
    } else {
      var text = document.createElement("p");
      text.className = "passage-text";
      appendMarked(text, passage.marked_text);
      box.appendChild(text);
    }
    var more = document.createElement("a");
    more.className = "passage-link";
    more.href = articleHref + (passage.anchor ? "#" + passage.anchor : "");
    more.textContent = passage.kind === "steps" ? form.dataset.passageStepsLabel : form.dataset.passageLabel;
    more.setAttribute("data-testid", "passage-link");
    box.appendChild(more);
    return box;
  }

  function render(results) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = form.dataset.articleUrl.replace(placeholder, sessionField.value).replace(/\/0\/$/, "/" + result.id + "/");
      link.textContent = result.title;
      link.setAttribute("data-testid", "suggestion");
      item.appendChild(link);
      if (result.passage) {
        item.appendChild(renderPassage(result.passage, link.href));
      } else {
        var summary = document.createElement("p");
        summary.textContent = result.summary;
        item.appendChild(summary);
      }
      list.appendChild(item);
    });
    panel.hidden = results.length === 0;
    status.textContent = results.length
      ? results.length + (results.length === 1 ? " article may answer your question." : " articles may answer your question.")
      : "";
  }

  function fetchSuggestions() {
    var text = query();
    if (text === lastQuery) return;
    lastQuery = text;
    if (text.length < 3) { render([]); return; }
    if (inflight) inflight.abort();
    inflight = new AbortController();
    fetch(form.dataset.suggestUrl.replace(placeholder, sessionField.value), {
      method: "POST",
      signal: inflight.signal,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({
        subject: subject.value.slice(0, 200),
        description: description.value.slice(0, 20000),
        email: email ? email.value.slice(0, 254) : "",
        source_page: (form.querySelector("[name=source_page]") || {}).value || ""
      })
    }).then(function (response) {
      if (!response.ok) throw new Error("suggestions unavailable: " + response.status);
      return response.json();
    }).then(function (data) {
      if (data.session && data.session !== sessionField.value) sessionField.value = data.session;
      render(data.results || []);
    }).catch(function (error) {
      if (error.name !== "AbortError") lastQuery = null;  // try again on the next keystroke
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
  }

  subject.addEventListener("input", schedule);
  description.addEventListener("input", schedule);
  if (query().length >= 3) fetchSuggestions();  // resumed form: show what was shown before
})();
