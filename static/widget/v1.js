/* Deflect help widget, v1. One script tag; everything lives in a Shadow DOM so the host's CSS
   cannot reach it and its CSS cannot reach the host. No cookies are sent or received. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !document.body || !document.body.attachShadow) return;
  var portal = (script.getAttribute("data-portal") || new URL(script.src).origin).replace(/\/$/, "");
  var context = script.getAttribute("data-context") || "";
  var userToken = script.getAttribute("data-user-token") || "";
  var label = script.getAttribute("data-label") || "Help";
  var api = portal + "/api/v1/widget/";
  var path = location.pathname.slice(0, 300);  // the API's limits (tickets/widget/api.py)

  var host = document.createElement("div");
  host.id = "deflect-help-widget";
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}*{box-sizing:border-box;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1c2430}" +
    ".launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:10px 18px;background:#1f5fbf;color:#fff;font-weight:600;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2)}" +
    ".panel{position:fixed;right:20px;bottom:72px;z-index:2147483000;width:min(380px,calc(100vw - 40px));max-height:min(600px,calc(100vh - 100px));overflow:auto;background:#fff;border:1px solid #d9dee5;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.2);padding:14px}" +
    "h2{font-size:17px;font-weight:700;margin:0 0 8px}h3{font-size:16px;font-weight:700;margin:4px 0}" +
    "input,textarea{width:100%;padding:8px;border:1px solid #aab3bf;border-radius:8px;margin:4px 0 8px}" +
    "button{cursor:pointer;border-radius:8px;padding:7px 12px;border:1px solid #1f5fbf;background:#fff;color:#1f5fbf;font-weight:600;margin:2px 4px 2px 0}" +
    "button.primary{background:#1f5fbf;color:#fff}ul{list-style:none;padding:0;margin:0}" +
    "li button{display:block;width:100%;text-align:left;border:1px solid #e3e7ec;color:#1c2430;font-weight:400;margin:4px 0}" +
    "li button strong{display:block;color:#1f5fbf}.muted{color:#5b6675;font-size:13px}.body{margin:8px 0;overflow-wrap:anywhere}" +
    ".passage{margin:0 0 8px 10px;padding-left:8px;border-left:3px solid #e3e7ec;font-size:14px}.passage ol{list-style:decimal;padding-left:20px;margin:4px 0}.passage p{margin:4px 0}.passage-heading{font-weight:600}mark{background:#fff1a8}a{color:#1f5fbf}" +
    ".body pre{white-space:pre-wrap;background:#f3f5f8;padding:8px;border-radius:6px}.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}" +
    ":focus-visible{outline:3px solid #f5b300;outline-offset:2px}" +
    "</style>" +
    "<button class='launch' type='button' aria-expanded='false' aria-controls='panel' data-testid='widget-button'></button>" +
    "<div class='panel' id='panel' role='dialog' aria-labelledby='title' hidden>" +
    "<h2 id='title'></h2><div id='view'></div><p class='sr' id='live' aria-live='polite'></p></div>";
  var launch = root.querySelector(".launch");
  var panel = root.getElementById("panel");
  var view = root.getElementById("view");
  var live = root.getElementById("live");
  launch.textContent = label;
  root.getElementById("title").textContent = label;
  var typed = "";
  var timer = null;
  var inflight = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function call(url, body) {
    var options = { credentials: "omit", mode: "cors" };
    if (body) {
      options.method = "POST";
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) throw data; return data; });
    });
  }
  function where() { return "path=" + encodeURIComponent(path) + "&context=" + encodeURIComponent(context); }

  // Marked text comes HTML-escaped with only <mark> added; it is rebuilt from text nodes.
  function marked(parent, html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    holder.content.childNodes.forEach(function (node) {
      parent.appendChild(node.nodeName === "MARK" ? el("mark", {}, node.textContent) : document.createTextNode(node.textContent));
    });
    return parent;
  }
  // The steps or paragraph of the article that answer, and a link to them in the help centre.
  function passage(p, url) {
    var box = el("div", { class: "passage", "data-testid": "widget-passage" });
    if (p.heading) box.appendChild(el("p", { class: "passage-heading" }, p.heading));
    if (p.marked_items && p.marked_items.length) {
      var ol = el("ol");
      p.marked_items.forEach(function (item) { ol.appendChild(marked(el("li"), item)); });
      box.appendChild(ol);
    } else {
      box.appendChild(marked(el("p"), p.marked_text));
    }
    var href = (/^https?:/.test(url) ? url : portal + url) + (p.anchor ? "#" + p.anchor : "");
    box.appendChild(el("a", { href: href, target: "_blank", rel: "noopener", "data-testid": "widget-passage-link" }, p.kind === "steps" ? "See these steps in the help centre" : "Read this in the help centre"));
    return box;
  }

  function list(results, heading) {
    var box = root.getElementById("results");
    box.textContent = "";
    if (heading && results.length) box.appendChild(el("p", { class: "muted" }, heading));
    var ul = el("ul");
    results.forEach(function (a) {
      var b = el("button", { type: "button", "data-testid": "widget-article" });
      b.appendChild(el("strong", {}, a.title));
      if (!a.passage) b.appendChild(document.createTextNode(a.summary || ""));  // else the passage says it
      b.addEventListener("click", function () { read(a.id); });
      var li = el("li"); li.appendChild(b);
      if (a.passage) li.appendChild(passage(a.passage, a.url));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    live.textContent = results.length ? results.length + " articles" : "";
  }

  function home() {
    view.textContent = "";
    var lab = el("label", { for: "q" }, "What do you need help with?");
    var input = el("input", { id: "q", type: "search", autocomplete: "off", maxlength: "250", "data-testid": "widget-input" });
    input.value = typed;
    view.appendChild(lab); view.appendChild(input);
    view.appendChild(el("div", { id: "results" }));
    var contact = el("button", { type: "button", "data-testid": "widget-contact" }, "Contact support");
    contact.addEventListener("click", form);
    view.appendChild(contact);
    input.addEventListener("input", function () {
      typed = input.value;
      clearTimeout(timer);
      timer = setTimeout(search, 300);
    });
    input.focus();
    if (typed.trim()) search(); else call(api + "articles?" + where()).then(function (d) { list(d.results, "Articles for this page"); }, function () {});
  }

  function search() {
    var q = typed.trim();
    if (!q) { home(); return; }
    if (inflight) inflight.cancelled = true;
    var mine = inflight = {};
    call(api + "suggest?q=" + encodeURIComponent(q) + "&" + where()).then(function (d) {
      if (!mine.cancelled) list(d.results, d.results.length ? "" : "");
    }, function () {});
  }

  function read(id) {
    call(api + "articles/" + id).then(function (a) {
      view.textContent = "";
      view.appendChild(el("h3", {}, a.title));
      var body = el("div", { class: "body" });
      body.innerHTML = a.body_html; /* sanitised by the portal, links absolute */
      view.appendChild(body);
      view.appendChild(el("p", {}, "Did this solve it?"));
      var yes = el("button", { type: "button", class: "primary", "data-testid": "widget-deflect-yes" }, "Yes, thanks");
      var no = el("button", { type: "button", "data-testid": "widget-deflect-no" }, "No");
      yes.addEventListener("click", function () {
        call(api + "deflect", { article: a.id, path: path, context: context, query: typed }).then(function () {
          view.textContent = "";
          view.appendChild(el("p", { "data-testid": "widget-thanks" }, "Glad that helped."));
          live.textContent = "Glad that helped.";
        });
      });
      no.addEventListener("click", form);
      view.appendChild(yes); view.appendChild(no);
      var back = el("button", { type: "button" }, "Back");
      back.addEventListener("click", home);
      view.appendChild(back);
      yes.focus();
    });
  }

  function form() {
    view.textContent = "";
    var f = el("form", { novalidate: "" });
    function field(name, text, tag) {
      f.appendChild(el("label", { for: name }, text));
      var input = el(tag || "input", { id: name, name: name, required: "" });
      f.appendChild(input); return input;
    }
    var subject = field("subject", "Subject");
    subject.value = typed.slice(0, 200);
    var description = field("description", "Describe your problem", "textarea");
    var email = userToken ? null : field("email", "Your e-mail address");
    if (email) email.type = "email";
    var error = el("p", { class: "muted", role: "alert" });
    f.appendChild(error);
    var send = el("button", { type: "submit", class: "primary", "data-testid": "widget-send" }, "Send");
    f.appendChild(send);
    var submission = (crypto.randomUUID && crypto.randomUUID()) || String(Date.now()) + Math.random();
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      send.disabled = true;
      call(api + "tickets", {
        subject: subject.value, description: description.value, email: email ? email.value : "",
        user_token: userToken, path: path, context: context, submission: submission
      }).then(function (d) {
        view.textContent = "";
        var said = d.outcome === "follow_up"
          ? "Added to your open request " + d.reference + ". We'll reply by e-mail."
          : "Sent: " + d.reference + ". We'll reply by e-mail.";
        var p = el("p", { "data-testid": "widget-reference" }, said);
        view.appendChild(p); live.textContent = p.textContent;
        if (d.answer_offered) answerOffered(d.answer_offered);
      }, function (problem) {
        send.disabled = false;
        error.textContent = "Please check: " + Object.keys(problem || {}).join(", ");
      });
    });
    view.appendChild(f);
    subject.focus();
  }

  // Answer after filing: the passage as text (never HTML), and links to the portal's page
  // where one click closes the request or keeps it open (a link alone changes nothing).
  function answerOffered(a) {
    var box = el("section", { "data-testid": "widget-answer-offer" });
    box.appendChild(el("h3", {}, "This article may already answer it"));
    var url = /^https?:/.test(a.article_url) ? a.article_url : portal + a.article_url;
    box.appendChild(el("a", { href: url, target: "_blank", rel: "noopener" }, a.article_title));
    var passage = a.passage;
    if (passage && passage.kind === "steps") {
      var ol = el("ol", { class: "body" });
      passage.items.forEach(function (item) { ol.appendChild(el("li", {}, item)); });
      box.appendChild(ol);
    } else {
      box.appendChild(el("p", { class: "body" }, passage ? passage.text : a.summary));
    }
    box.appendChild(el("a", { href: a.answer_url + "?choice=solved", target: "_blank", rel: "noopener",
                              "data-testid": "widget-answer-solved" }, "This solved it — close my request"));
    box.appendChild(el("span", {}, " · "));
    box.appendChild(el("a", { href: a.answer_url + "?choice=help", target: "_blank", rel: "noopener" },
                       "I still need help"));
    view.appendChild(box);
  }

  function toggle(open) {
    panel.hidden = !open;
    launch.setAttribute("aria-expanded", String(open));
    if (open) home(); else launch.focus();
  }
  launch.addEventListener("click", function () { toggle(panel.hidden); });
  // On the document: focus may be outside the panel (on the host page) when Esc is pressed.
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) toggle(false); });
})();
