// The backprop explorer page: draws the graph laid out by Python and replays the recorded
// steps. Nothing here computes a gradient: every number shown comes from the recording.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var G = JSON.parse(document.getElementById("graph-data").textContent);
  var steps = G.steps;
  var total = steps.length;
  var svg = document.getElementById("graph");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var playButton = document.getElementById("play");
  var speed = document.getElementById("speed");
  var stepTitle = document.getElementById("step-title");
  var stepLines = document.getElementById("step-lines");
  var PLACEHOLDER = "\u2014";

  function make(name, attrs, parent) {
    var el = document.createElementNS(SVG_NS, name);
    for (var key in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, key)) el.setAttribute(key, attrs[key]);
    }
    if (parent) parent.appendChild(el);
    return el;
  }

  // --- drawing ---------------------------------------------------------------------------

  var defs = make("defs", {}, svg);
  var marker = make("marker", {
    id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto"
  }, defs);
  make("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#9aa0a8"}, marker);
  var viewport = make("g", {id: "viewport"}, svg);
  var edgeLayer = make("g", {"class": "edges"}, viewport);
  var nodeLayer = make("g", {"class": "nodes"}, viewport);

  var nodes = {};       // id -> {g, data, grad, box}
  var edgesOf = {};     // node id -> [path]
  var edgesInto = {};   // node id -> [path] (edges ending at the node)

  function curve(x1, y1, x2, y2, bend) {
    // a cubic from (x1, y1) to (x2, y2) leaving and arriving horizontally
    var dx = Math.max(12, (x2 - x1) / 2);
    return " C " + (x1 + dx) + " " + (y1 + bend) + ", " + (x2 - dx) + " " + (y2 + bend) +
      ", " + x2 + " " + y2;
  }

  G.edges.forEach(function (e) {
    // [from, to, x1, y1, x2, y2, copy, [bend points x, y, ...]]; a second copy of an
    // edge (a + a) is bowed so that both show
    var points = [e[2], e[3]].concat(e[7] || [], [e[4], e[5]]);
    var d = "M " + points[0] + " " + points[1];
    for (var i = 2; i < points.length; i += 2) {
      d += curve(points[i - 2], points[i - 1], points[i], points[i + 1], e[6] * 14);
    }
    var path = make("path", {"class": "edge", d: d, "marker-end": "url(#arrow)"}, edgeLayer);
    (edgesOf[e[0]] = edgesOf[e[0]] || []).push(path);
    (edgesOf[e[1]] = edgesOf[e[1]] || []).push(path);
    (edgesInto[e[1]] = edgesInto[e[1]] || []).push(path);
  });

  G.nodes.forEach(function (n) {
    var left = n.x - n.w / 2, top = n.y - n.h / 2;
    var g = make("g", {transform: "translate(" + left + " " + top + ")"}, nodeLayer);
    var entry = {g: g, box: n, data: null, grad: null};
    if (n.kind === "op") {
      g.setAttribute("class", "node op");
      g.setAttribute("data-op-id", n.id);
      make("ellipse", {cx: n.w / 2, cy: n.h / 2, rx: n.w / 2, ry: n.h / 2}, g);
      make("text", {x: n.w / 2, y: n.h / 2}, g).textContent = n.text;
    } else {
      g.setAttribute("class", "node value");
      g.setAttribute("data-node-id", n.id);
      make("rect", {width: n.w, height: n.h, rx: 3}, g);
      if (n.cells) {
        var x = 0;
        var texts = [n.name, "", ""];
        var kinds = ["label", "data", "grad"];
        n.cells.forEach(function (w, i) {
          if (i > 0) make("line", {x1: x, y1: 0, x2: x, y2: n.h}, g);
          var t = make("text", {"class": kinds[i], x: x + 8, y: n.h / 2}, g);
          t.textContent = texts[i];
          if (i === 1) entry.data = t;
          if (i === 2) entry.grad = t;
          x += w;
        });
      } else {
        n.lines.forEach(function (line, i) {
          make("text", {"class": i === 0 ? "label" : "shape", x: 8, y: 13 + i * 16}, g)
            .textContent = line;
        });
        make("line", {x1: 0, y1: 37, x2: n.w, y2: 37}, g);
        entry.data = make("text", {"class": "data", x: 8, y: 13 + 2 * 16}, g);
        entry.grad = make("text", {"class": "grad", x: 8, y: 13 + 3 * 16}, g);
      }
    }
    var title = make("title", {}, g);
    title.textContent = n.kind === "op" ? "operation " + n.text : n.name;
    g.addEventListener("mouseenter", function () { highlightEdges(n.id, true); });
    g.addEventListener("mouseleave", function () { highlightEdges(n.id, false); });
    nodes[n.id] = entry;
  });

  function highlightEdges(id, on) {
    (edgesOf[id] || []).forEach(function (p) { p.classList.toggle("hl", on); });
  }

  // --- state: what each node shows after the first `pos` steps ---------------------------

  var dataEvents = {};  // id -> [[step, text]], in step order
  var gradEvents = {};
  steps.forEach(function (s, i) {
    if (s.d) (dataEvents[s.d[0]] = dataEvents[s.d[0]] || []).push([i, s.d[1]]);
    (s.g || []).forEach(function (g) {
      (gradEvents[g[0]] = gradEvents[g[0]] || []).push([i, g[1]]);
    });
  });

  function textAt(events, pos) {
    // the text of the last event among the first `pos` steps, or null
    if (!events) return null;
    var lo = 0, hi = events.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (events[mid][0] < pos) lo = mid + 1; else hi = mid;
    }
    return lo === 0 ? null : events[lo - 1][1];
  }

  function refreshNode(id, pos) {
    var entry = nodes[id];
    if (!entry || !entry.data) return;
    var data = textAt(dataEvents[id], pos);
    var grad = textAt(gradEvents[id], pos);
    entry.data.textContent = "data " + (data === null ? "?" : data);
    entry.data.classList.toggle("hidden", data === null);
    entry.grad.textContent = "grad " + (grad === null ? PLACEHOLDER : grad);
    entry.grad.classList.toggle("hidden", grad === null);
  }

  var pos = 0;
  var marked = [];  // elements given highlight classes by the current step

  function clearMarks() {
    marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    marked = [];
  }

  function mark(el, cls) {
    if (!el) return;
    el.classList.add(cls);
    marked.push([el, cls]);
  }

  function markNode(id, cls) {
    if (nodes[id]) mark(nodes[id].g, cls);
  }

  function highlightStep(s) {
    clearMarks();
    if (!s) return;
    var forward = s.k === "f";
    markNode(s.n, "current");
    if (forward) markNode(s.n, "fwd");
    markNode(s.n + "op", "current");
    if (forward) markNode(s.n + "op", "fwd");
    if (s.k === "b") {
      (s.x || []).forEach(function (id) { markNode(id, "target"); });
    }
    if (s.k !== "s") {
      (edgesInto[s.n + "op"] || []).concat(edgesInto[s.n] || []).forEach(function (p) {
        mark(p, "active");
        if (forward) mark(p, "fwd");
      });
    }
  }

  function showPanel(s) {
    stepLines.textContent = "";
    stepTitle.className = s ? s.k : "";
    if (!s) {
      stepTitle.textContent = "the graph of " + G.title.replace(/^backprop explorer: /, "");
      [
        "Step forward (\u2192 or next) to run the forward pass: each node's data is computed " +
          "from its inputs, inputs first (topological order).",
        "Then the backward pass starts at the root with grad 1 and visits the nodes in " +
          "reverse topological order. At each step the node's gradient, complete by then, " +
          "is multiplied by each local derivative and added (+=) into its inputs' gradients.",
        "There are " + G.forward + " forward steps, 1 seed and " + (total - G.forward - 1) +
          " backward steps, recorded from chainrule's own backward pass."
      ].forEach(function (text) {
        var div = document.createElement("div");
        div.className = "intro";
        div.textContent = text;
        stepLines.appendChild(div);
      });
      return;
    }
    stepTitle.textContent = s.t;
    s.l.forEach(function (line) {
      var div = document.createElement("div");
      div.className = line[0];
      div.textContent = line[1];
      stepLines.appendChild(div);
    });
  }

  function setPos(target, follow) {
    target = Math.max(0, Math.min(total, target | 0));
    var lo = Math.min(pos, target), hi = Math.max(pos, target);
    var touched = {};
    for (var i = lo; i < hi; i++) {
      var s = steps[i];
      if (s.d) touched[s.d[0]] = true;
      (s.g || []).forEach(function (g) { touched[g[0]] = true; });
    }
    pos = target;
    Object.keys(touched).forEach(function (id) { refreshNode(id, pos); });
    var current = pos > 0 ? steps[pos - 1] : null;
    highlightStep(current);
    showPanel(current);
    slider.value = String(pos);
    var phase = !current ? "start" : current.k === "f" ? "forward" : "backward";
    counter.textContent = "step " + pos + " / " + total + " \u00b7 " + phase;
    if (follow && current) reveal(current.n);
  }

  // --- pan and zoom: the SVG viewBox --------------------------------------------------------

  var view = {x: 0, y: 0, w: 1, h: 1};

  function applyView() {
    svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
  }

  function aspect() {
    var r = svg.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? r.height / r.width : 0.6;
  }

  function fit() {
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    G.nodes.forEach(function (n) {
      minX = Math.min(minX, n.x - n.w / 2); maxX = Math.max(maxX, n.x + n.w / 2);
      minY = Math.min(minY, n.y - n.h / 2); maxY = Math.max(maxY, n.y + n.h / 2);
    });
    if (!isFinite(minX)) { minX = minY = 0; maxX = maxY = 100; }
    var pad = 30, a = aspect();
    var w = maxX - minX + 2 * pad, h = maxY - minY + 2 * pad;
    if (h / w > a) w = h / a; else h = w * a;
    view = {x: (minX + maxX - w) / 2, y: (minY + maxY - h) / 2, w: w, h: h};
    applyView();
  }

  function reveal(id) {
    var entry = nodes[id];
    if (!entry) return;
    var n = entry.box;
    var inside = n.x - n.w / 2 >= view.x && n.x + n.w / 2 <= view.x + view.w &&
      n.y - n.h / 2 >= view.y && n.y + n.h / 2 <= view.y + view.h;
    if (inside) return;
    view.x = n.x - view.w / 2;
    view.y = n.y - view.h / 2;
    applyView();
  }

  function toView(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    return {
      x: view.x + (clientX - r.left) / (r.width || 1) * view.w,
      y: view.y + (clientY - r.top) / (r.height || 1) * view.h
    };
  }

  svg.setAttribute("preserveAspectRatio", "none");
  svg.addEventListener("wheel", function (event) {
    event.preventDefault();
    var p = toView(event.clientX, event.clientY);
    var factor = Math.exp(Math.max(-100, Math.min(100, event.deltaY)) * 0.002);
    var w = Math.max(20, Math.min(view.w * factor, 1e7));
    factor = w / view.w;
    view = {
      x: p.x - (p.x - view.x) * factor, y: p.y - (p.y - view.y) * factor,
      w: view.w * factor, h: view.h * factor
    };
    applyView();
  }, {passive: false});

  var drag = null;
  svg.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) return;
    drag = {x: event.clientX, y: event.clientY, view: {x: view.x, y: view.y}};
    svg.classList.add("dragging");
    if (svg.setPointerCapture) svg.setPointerCapture(event.pointerId);
  });
  svg.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    view.x = drag.view.x - (event.clientX - drag.x) / (r.width || 1) * view.w;
    view.y = drag.view.y - (event.clientY - drag.y) / (r.height || 1) * view.h;
    applyView();
  });
  function endDrag() {
    drag = null;
    svg.classList.remove("dragging");
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);
  window.addEventListener("resize", function () {
    view.h = view.w * aspect();
    applyView();
  });

  // --- controls ------------------------------------------------------------------------------

  var timer = null;

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    playButton.classList.remove("on");
    playButton.textContent = "\u25B6 play";
  }

  function play() {
    if (timer !== null) { stop(); return; }
    if (pos >= total) setPos(0, true);
    playButton.classList.add("on");
    playButton.textContent = "\u23F8 pause";
    timer = setInterval(function () {
      if (pos >= total) { stop(); return; }
      setPos(pos + 1, true);
    }, Number(speed.value) || 600);
  }

  function button(id, action) {
    var el = document.getElementById(id);
    el.addEventListener("click", function () {
      action();
      el.blur();  // so that space plays instead of pressing the button again
    });
  }

  button("next", function () { stop(); setPos(pos + 1, true); });
  button("prev", function () { stop(); setPos(pos - 1, true); });
  button("reset", function () { stop(); setPos(0, false); });
  button("play", play);
  button("fit", fit);
  speed.addEventListener("change", function () {
    if (timer !== null) { stop(); play(); }
    speed.blur();
  });
  slider.max = String(total);
  slider.addEventListener("input", function () { stop(); setPos(Number(slider.value), true); });

  document.addEventListener("keydown", function (event) {
    var key = String(event.key || "");
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target === slider && key.indexOf("Arrow") === 0) return;  // the slider steps
    if (event.target && event.target.tagName === "SELECT") return;
    switch (key) {
      case "ArrowRight": case "ArrowDown": stop(); setPos(pos + 1, true); break;
      case "ArrowLeft": case "ArrowUp": stop(); setPos(pos - 1, true); break;
      case " ": case "Spacebar": play(); break;
      case "Home": stop(); setPos(0, false); break;
      case "End": stop(); setPos(total, false); break;
      case "f": fit(); break;
      default: return;
    }
    event.preventDefault();
  });

  Object.keys(nodes).forEach(function (id) { refreshNode(id, 0); });
  fit();
  setPos(0, false);
})();
