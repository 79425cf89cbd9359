/* crossplan browser graph: filters, search, focus, side panel and tooltips around vis-network.
 *
 * Safety: every piece of text that comes from the data is written with createTextNode/textContent
 * (or drawn on the canvas), never parsed as markup. The page makes no network request.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("cp-data").textContent);
  var style = data.style;
  var SVG = "http://www.w3.org/2000/svg";
  var FACETS = ["linked", "plan", "type", "relation", "basis", "status", "response"];
  var NONE = "none";
  var registryTypes = new Set(style.registryTypes);
  var statusTypes = new Set(style.statusTypes);

  // ---------------------------------------------------------------------------------------------
  // Index

  var nodeList = data.nodes;
  var edgeList = data.edges;
  var nodeById = new Map();
  nodeList.forEach(function (node) { nodeById.set(node.id, node); });
  var edgeById = new Map();
  edgeList.forEach(function (edge) { edgeById.set(edge.id, edge); });
  var adjacency = new Map();
  nodeList.forEach(function (node) { adjacency.set(node.id, []); });
  edgeList.forEach(function (edge, index) {
    adjacency.get(edge.from).push(index);
    adjacency.get(edge.to).push(index);
  });

  function otherEnd(edge, id) { return edge.from === id ? edge.to : edge.from; }
  function isRegistry(node) { return registryTypes.has(node.type); }

  // Organisations, documents and programmes not connected to any plan item at all: always shown.
  var floating = (function () {
    var reached = new Set();
    var queue = [];
    nodeList.forEach(function (node) {
      if (!isRegistry(node)) { reached.add(node.id); queue.push(node.id); }
    });
    while (queue.length) {
      var current = queue.pop();
      adjacency.get(current).forEach(function (index) {
        var other = otherEnd(edgeList[index], current);
        if (!reached.has(other)) { reached.add(other); queue.push(other); }
      });
    }
    var result = new Set();
    nodeList.forEach(function (node) { if (!reached.has(node.id)) { result.add(node.id); } });
    return result;
  })();

  // ---------------------------------------------------------------------------------------------
  // DOM helpers: text only

  function el(tag, options) {
    var element = document.createElement(tag);
    options = options || {};
    if (options.className) { element.className = options.className; }
    if (options.text !== undefined && options.text !== null) { element.textContent = String(options.text); }
    if (options.title) { element.title = String(options.title); }
    if (options.attributes) {
      Object.keys(options.attributes).forEach(function (name) { element.setAttribute(name, String(options.attributes[name])); });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      element.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return element;
  }

  function svg(tag, attributes) {
    var element = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, String(attributes[name])); });
    return element;
  }

  function clear(element) { while (element.firstChild) { element.removeChild(element.firstChild); } }

  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }

  function nodeName(node) { return node.title || node.name || node.label || node.id; }

  function caption(spelling) { return String(spelling).replace(/-/g, " "); }

  function darker(hex, factor) {
    var value = parseInt(hex.slice(1), 16);
    var r = Math.round(((value >> 16) & 255) * factor), g = Math.round(((value >> 8) & 255) * factor), b = Math.round((value & 255) * factor);
    return "#" + ((1 << 24) + (r << 16) + (g << 8) + b).toString(16).slice(1);
  }

  // ---------------------------------------------------------------------------------------------
  // vis-network items

  var columns = data.layout === "columns";
  var fontFace = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'DejaVu Sans', sans-serif";

  function groupOptions() {
    var groups = {};
    Object.keys(style.types).forEach(function (type) {
      var typeStyle = style.types[type];
      var inside = typeStyle.shape === "box" || typeStyle.shape === "ellipse";
      groups[type] = {
        shape: typeStyle.shape,
        size: typeStyle.size,
        color: {
          background: typeStyle.color, border: darker(typeStyle.color, 0.7),
          highlight: { background: typeStyle.color, border: "#111827" },
          hover: { background: typeStyle.color, border: "#111827" }
        },
        // Borders cost a third of each redraw at 10,000 nodes and are invisible at that zoom.
        borderWidth: big ? 0 : 1,
        borderWidthSelected: 3,
        font: { color: inside ? typeStyle.font : "#1f2937", size: typeStyle.fontSize || 12, face: fontFace,
                strokeWidth: inside ? 0 : 3, strokeColor: "#ffffff" },
        margin: inside ? 8 : undefined
      };
    });
    return groups;
  }

  function visNode(node) {
    var item = { id: node.id, group: node.type, label: node.label, x: node.x, y: node.y };
    if (node.loose) { item.physics = false; }
    if (node.type === "action") { item.mass = 0.5; }
    // Plans are pinned where the seeded layout put them, apart: their items gather round them.
    if (node.type === "plan" && data.physics.pinPlans) { item.fixed = { x: true, y: true }; }
    if (node.status === "removed") { item.opacity = 0.45; }
    if (columns) { Object.assign(item, columnBox(node)); }
    return item;
  }

  // The mapping view: labelled boxes in two columns; items linked across the plans stand out.
  var rows = data.physics.rows;
  var linkedWorkstreams = new Set();
  nodeList.forEach(function (node) {
    if (node.linked) { linkedWorkstreams.add(node.type === "workstream" ? node.id : node.workstream); }
  });

  function rowKind(node) { return node.type === "workstream" ? "header" : "row"; }
  function rowHeight(node) { var kind = rowKind(node); return node.lines * rows.lineHeight[kind] + 2 * rows.margin[kind]; }

  function columnBox(node) {
    var header = node.type === "workstream";
    var strong = header ? linkedWorkstreams.has(node.id) : node.linked;
    var colour = style.types[node.type].color;
    var width = header ? 350 : 330;
    return {
      shape: "box",
      // Labels come wrapped from Python, which counts their lines to stack the rows: no maximum, no re-wrapping.
      widthConstraint: { minimum: width },
      font: { align: "left", size: header ? 15 : 13, color: strong ? "#ffffff" : "#374151", face: fontFace, strokeWidth: 0 },
      color: strong ? { background: colour, border: darker(colour, 0.7), highlight: { background: colour, border: "#111827" },
                        hover: { background: colour, border: "#111827" } }
                    : { background: header ? "#e3f3ee" : "#eef2f7", border: "#c5ced9",
                        highlight: { background: "#dbeafe", border: "#111827" }, hover: { background: "#dbeafe", border: "#6b7280" } },
      margin: rows.margin[rowKind(node)],
      shapeProperties: { borderRadius: 4 },
      opacity: 1
    };
  }

  function visEdge(edge) {
    var relationStyle = style.relations[edge.relation];
    var basisStyle = style.bases[edge.basis];
    return {
      id: edge.id, from: edge.from, to: edge.to,
      color: { color: relationStyle.color, highlight: relationStyle.color, hover: relationStyle.color, opacity: 0.95 },
      width: relationStyle.width,
      length: relationStyle.length,
      dashes: basisStyle.dashes,
      arrows: relationStyle.arrows === false ? { to: { enabled: false } } : { to: { enabled: true, scaleFactor: 0.55 } }
    };
  }

  // vis draws nodes in the order they were added: plans and workstreams last, so that they stay on top.
  var drawOrder = { plan: 4, workstream: 3, recommendation: 2, action: 1 };
  var visNodes = new vis.DataSet(nodeList.slice().sort(function (a, b) {
    return (drawOrder[a.type] || 0) - (drawOrder[b.type] || 0);
  }).map(visNode));
  var visEdges = new vis.DataSet(edgeList.map(visEdge));
  var hiddenNodes = new Set();
  var hiddenEdges = new Set();
  var big = nodeList.length > 3000;

  var physics = data.physics.enabled ? data.physics.options : { enabled: false };

  var container = document.getElementById("cp-network");
  var created = performance.now();
  var network = new vis.Network(container, { nodes: visNodes, edges: visEdges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    groups: groupOptions(),
    nodes: { font: { face: fontFace }, scaling: { label: { drawThreshold: 4 } } },
    edges: {
      smooth: data.physics.smooth && !columns ? { enabled: true, type: "continuous", roundness: 0.2 } : false,
      selectionWidth: 2, hoverWidth: 0.6
    },
    interaction: {
      hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
      navigationButtons: false, keyboard: false, multiselect: false, zoomSpeed: 0.7
    },
    physics: physics
  });

  var api = {
    network: network, nodes: visNodes, edges: visEdges, data: data, ready: false,
    timing: { created: created }, state: null
  };
  window.crossplan = api;

  var progress = document.getElementById("cp-progress");
  // network.moveNode schedules a redraw per node (54 redraws of 10,000 nodes took a minute), and a
  // DataSet update re-applies the type's style over a node's own: set the positions vis reads, redraw once.
  function moveNodes(moves) {
    var body = network.body;
    moves.forEach(function (move) {
      var node = body && body.nodes ? body.nodes[move.id] : null;
      if (node) { node.x = move.x; node.y = move.y; } else { network.moveNode(move.id, move.x, move.y); }
    });
    network.redraw();
  }

  // Nodes linked to nothing: a tidy grid under the graph rather than scattered by the physics.
  var looseIds = nodeList.filter(function (node) { return node.loose; }).map(function (node) { return node.id; });
  var looseCaption = null;
  function placeLoose() {
    if (!looseIds.length) { return; }
    var others = nodeList.filter(function (node) { return !node.loose; }).map(function (node) { return node.id; });
    var positions = network.getPositions(others);
    var minX = Infinity, maxX = -Infinity, maxY = -Infinity;
    others.forEach(function (id) {
      minX = Math.min(minX, positions[id].x); maxX = Math.max(maxX, positions[id].x); maxY = Math.max(maxY, positions[id].y);
    });
    if (!others.length) { minX = 0; maxX = 600; maxY = 0; }
    var step = 90, rowStep = 60;
    var perRow = Math.max(4, Math.floor((maxX - minX) / step) + 1);
    var top = maxY + 160;
    moveNodes(looseIds.map(function (id, index) {
      return { id: id, x: minX + (index % perRow) * step, y: top + Math.floor(index / perRow) * rowStep };
    }));
    looseCaption = { x: minX - 20, y: top - 50, text: "Linked to nothing in this view (" + looseIds.length + ")" };
  }

  // Stack each column's shown rows from the top, so that hidden rows leave no gaps.
  function restack() {
    data.columns.forEach(function (column, index) {
      var members = nodeList.filter(function (node) { return node.column === index && !hiddenNodes.has(node.id); });
      members.sort(function (a, b) { return a.row - b.row; });
      var y = 0, moves = [];
      members.forEach(function (node, position) {
        if (node.type === "workstream" && position) { y += rows.headerGap; }
        var height = rowHeight(node);
        moves.push({ id: node.id, x: column.x, y: y + height / 2 });
        y += height + rows.gap;
      });
      moveNodes(moves);
      column.bottom = y;
    });
  }

  function fitColumns(animate) {
    var shown = nodeList.filter(function (node) { return !hiddenNodes.has(node.id); });
    var bottom = Math.max.apply(null, data.columns.map(function (column) { return column.bottom || 0; }).concat([200]));
    var left = Math.min.apply(null, data.columns.map(function (column) { return column.x; })) - 200;
    var right = Math.max.apply(null, data.columns.map(function (column) { return column.x; })) + 200;
    var top = -110;
    if (!shown.length) { return; }
    var scale = Math.min(container.clientWidth / (right - left), container.clientHeight / (bottom - top), 1.2);
    network.moveTo({ position: { x: (left + right) / 2, y: (top + bottom) / 2 }, scale: scale,
                     animation: animate ? { duration: 300, easingFunction: "easeInOutQuad" } : false });
  }

  function markReady(iterations) {
    if (physics.enabled) { placeLoose(); }  // without physics, the seeded grid is still in place
    if (columns) { restack(); fitColumns(false); } else { network.fit({ animation: false }); }
    api.timing.ready = performance.now();
    api.timing.seconds = (api.timing.ready - created) / 1000;
    api.timing.iterations = iterations;
    progress.textContent = "";
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
    if (data.selected && nodeById.has(data.selected)) { select(data.selected, { animate: false }); }
  }

  if (physics.enabled) {
    var iterationsDone = 0;
    var budget = data.physics.seconds * 1000;
    network.on("stabilizationProgress", function (params) {
      iterationsDone = params.iterations;
      // A time budget as well as an iteration count: a big graph on a slow laptop still opens promptly.
      if (performance.now() - created > budget) { network.stopSimulation(); }
      progress.textContent = "Laying out " + Math.round(100 * params.iterations / params.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () {
      // Settle, then stop: no endless jiggle, and a dragged node moves alone.
      network.setOptions({ physics: { enabled: false } });
      markReady(iterationsDone || physics.stabilization.iterations);
    });
    progress.textContent = "Laying out…";
  } else {
    window.setTimeout(function () { markReady(0); }, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Heading and background drawing

  document.getElementById("cp-title").textContent = data.title;
  document.getElementById("cp-subtitle").textContent = data.subtitle;
  document.title = data.title;

  var planTitle = new Map();
  data.plans.forEach(function (plan) { planTitle.set(plan.id, plan.title); });
  var planTint = ["rgba(0,114,178,0.06)", "rgba(0,158,115,0.07)", "rgba(213,94,0,0.06)", "rgba(204,121,167,0.07)",
                  "rgba(230,159,0,0.07)", "rgba(86,180,233,0.08)"];
  // A tinted region behind each plan's items, captioned with the plan's title when there are several.
  var groupHulls = (function () {
    var plans = new Map();
    nodeList.forEach(function (node) {
      if (!node.plan || isRegistry(node)) { return; }
      if (!plans.has(node.plan)) { plans.set(node.plan, []); }
      plans.get(node.plan).push(node.id);
    });
    var hulls = [], index = 0;
    plans.forEach(function (members, plan) {
      hulls.push({ members: members, fill: planTint[index++ % planTint.length], pad: 70,
                   caption: plans.size > 1 ? shorten(planTitle.get(plan) || plan, 60) : null });
    });
    return hulls;
  })();

  function wrapText(ctx, text, width) {
    var words = String(text).split(/\s+/), lines = [], line = "";
    words.forEach(function (word) {
      var candidate = line ? line + " " + word : word;
      if (line && ctx.measureText(candidate).width > width) { lines.push(line); line = word; } else { line = candidate; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  network.on("beforeDrawing", function (ctx) {
    if (columns) {
      data.columns.forEach(function (column) {
        ctx.save();
        ctx.fillStyle = "#111827";
        ctx.textAlign = "center";
        ctx.font = "bold 17px " + fontFace;
        var lines = wrapText(ctx, column.title, 360).slice(0, 3);
        var y = -30 - 21 * lines.length;
        lines.forEach(function (line) { ctx.fillText(line, column.x, y); y += 21; });
        ctx.font = "13px " + fontFace;
        ctx.fillStyle = "#4b5563";
        ctx.fillText(column.subtitle, column.x, y);
        ctx.restore();
      });
      return;
    }
    var scale = network.getScale();
    if (looseCaption && looseIds.some(function (id) { return !hiddenNodes.has(id); })) {
      ctx.save();
      ctx.font = Math.round(Math.max(14, 12 / scale)) + "px " + fontFace;
      ctx.fillStyle = "#6b7280";
      ctx.fillText(looseCaption.text, looseCaption.x, looseCaption.y);
      ctx.restore();
    }
    if (nodeList.length > 5000) { return; }
    groupHulls.forEach(function (group) {
      var shown = group.members.filter(function (id) { return !hiddenNodes.has(id); });
      if (shown.length < 2) { return; }
      var positions = network.getPositions(shown);
      var hull = convexHull(shown.map(function (id) { return positions[id]; }));
      ctx.save();
      ctx.beginPath();
      hull.forEach(function (point, i) { if (i) { ctx.lineTo(point.x, point.y); } else { ctx.moveTo(point.x, point.y); } });
      ctx.closePath();
      // A wide round stroke in the fill colour pads the hull into a rounded region around its nodes.
      ctx.lineJoin = "round";
      ctx.lineWidth = group.pad;
      ctx.strokeStyle = group.fill;
      ctx.fillStyle = group.fill;
      ctx.stroke();
      ctx.fill();
      if (group.caption) {
        var top = hull.reduce(function (best, point) { return point.y < best.y ? point : best; }, hull[0]);
        var cx = hull.reduce(function (sum, point) { return sum + point.x; }, 0) / hull.length;
        ctx.font = "bold " + Math.round(Math.max(18, 14 / scale)) + "px " + fontFace;
        // Keep the caption inside the window.
        var half = ctx.measureText(group.caption).width / 2 + 8;
        var left = network.DOMtoCanvas({ x: 0, y: 0 }).x, right = network.DOMtoCanvas({ x: container.clientWidth, y: 0 }).x;
        cx = right - left > 2 * half ? Math.min(Math.max(cx, left + half), right - half) : cx;
        ctx.textAlign = "center";
        ctx.lineWidth = 4;
        ctx.strokeStyle = "rgba(255,255,255,0.9)";
        ctx.fillStyle = "rgba(31,41,55,0.65)";
        ctx.strokeText(group.caption, cx, top.y - group.pad / 2 - 10);
        ctx.fillText(group.caption, cx, top.y - group.pad / 2 - 10);
      }
      ctx.restore();
    });
  });

  function convexHull(points) {
    var sorted = points.slice().sort(function (a, b) { return a.x - b.x || a.y - b.y; });
    if (sorted.length < 3) { return sorted; }
    var cross = function (o, a, b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); };
    var lower = [], upper = [];
    sorted.forEach(function (point) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], point) <= 0) { lower.pop(); }
      lower.push(point);
    });
    for (var i = sorted.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], sorted[i]) <= 0) { upper.pop(); }
      upper.push(sorted[i]);
    }
    upper.pop(); lower.pop();
    return lower.concat(upper);
  }

  // ---------------------------------------------------------------------------------------------
  // Filters and legend

  var options = {};   // facet -> [{value, text, detail, count, swatch}]
  var state = { checked: {}, focus: null, depth: 1, selected: null };
  api.state = state;

  function countBy(list, key) {
    var counts = new Map();
    list.forEach(function (item) { var value = key(item); counts.set(value, (counts.get(value) || 0) + 1); });
    return counts;
  }

  function nodeSwatch(type) {
    var typeStyle = style.types[type];
    var box = svg("svg", { width: 18, height: 14, viewBox: "0 0 18 14", "aria-hidden": "true" });
    var fill = { fill: typeStyle.color, stroke: darker(typeStyle.color, 0.7) };
    var shape;
    switch (typeStyle.shape) {
      case "box": shape = svg("rect", Object.assign({ x: 1, y: 2, width: 16, height: 10, rx: 2 }, fill)); break;
      case "ellipse": shape = svg("ellipse", Object.assign({ cx: 9, cy: 7, rx: 8, ry: 5 }, fill)); break;
      case "diamond": shape = svg("polygon", Object.assign({ points: "9,1 15,7 9,13 3,7" }, fill)); break;
      case "triangle": shape = svg("polygon", Object.assign({ points: "9,1 16,13 2,13" }, fill)); break;
      case "square": shape = svg("rect", Object.assign({ x: 3, y: 1, width: 12, height: 12 }, fill)); break;
      case "hexagon": shape = svg("polygon", Object.assign({ points: "5,1 13,1 17,7 13,13 5,13 1,7" }, fill)); break;
      default: shape = svg("circle", Object.assign({ cx: 9, cy: 7, r: 6 }, fill));
    }
    box.appendChild(shape);
    return box;
  }

  function lineSwatch(color, width, dashes, arrow) {
    var box = svg("svg", { width: 30, height: 12, viewBox: "0 0 30 12", "aria-hidden": "true" });
    var line = svg("line", { x1: 1, y1: 6, x2: arrow ? 22 : 29, y2: 6, stroke: color, "stroke-width": Math.max(1.5, width) });
    if (dashes) { line.setAttribute("stroke-dasharray", dashes.join(" ")); }
    box.appendChild(line);
    if (arrow) { box.appendChild(svg("polygon", { points: "21,2 29,6 21,10", fill: color })); }
    return box;
  }

  function buildOptions() {
    var typeCounts = countBy(nodeList, function (node) { return node.type; });
    var planCounts = countBy(nodeList.filter(function (node) { return node.plan && !isRegistry(node); }),
                             function (node) { return node.plan; });
    var relationCounts = countBy(edgeList, function (edge) { return edge.relation; });
    var basisCounts = countBy(edgeList, function (edge) { return edge.basis; });
    var statusNodes = nodeList.filter(function (node) { return statusTypes.has(node.type); });
    var statusCounts = countBy(statusNodes, function (node) { return node.status || NONE; });
    var responseNodes = nodeList.filter(function (node) { return node.type === "recommendation"; });
    var responseCounts = countBy(responseNodes, function (node) { return node.response || NONE; });

    var unlinked = nodeList.filter(function (node) { return columns && node.type !== "workstream" && !node.linked; }).length;
    options.linked = unlinked ? [{ value: "unlinked", text: "Show items with no link between the plans", count: unlinked, initiallyOff: true }] : [];
    options.plan = data.plans.map(function (plan) {
      return { value: plan.id, text: plan.title, detail: plan.id, count: planCounts.get(plan.id) || 0 };
    });
    options.type = Object.keys(style.types).map(function (type) {
      return { value: type, text: style.types[type].caption, count: typeCounts.get(type) || 0, swatch: nodeSwatch(type) };
    });
    options.relation = Object.keys(style.relations).map(function (relation) {
      var relationStyle = style.relations[relation];
      return { value: relation, text: relationStyle.caption, count: relationCounts.get(relation) || 0,
               swatch: lineSwatch(relationStyle.color, relationStyle.width, null, relationStyle.arrows !== false) };
    });
    options.basis = Object.keys(style.bases).map(function (basis) {
      var basisStyle = style.bases[basis];
      return { value: basis, text: basisStyle.caption, count: basisCounts.get(basis) || 0,
               swatch: lineSwatch("#374151", 2, basisStyle.dashes || null, false) };
    });
    options.status = style.statuses.concat([NONE]).filter(function (value) { return statusCounts.has(value); })
      .map(function (value) { return { value: value, text: value === NONE ? "no status" : caption(value), count: statusCounts.get(value) }; });
    options.response = style.responses.concat([NONE]).filter(function (value) { return responseCounts.has(value); })
      .map(function (value) { return { value: value, text: value === NONE ? "no response" : caption(value), count: responseCounts.get(value) }; });
  }

  var facetTitles = {
    linked: "Mapping",
    plan: "Plans", type: "Node types", relation: "Links (relation)", basis: "Basis of links",
    status: "Status (recommendations, actions)", response: "Response (recommendations)"
  };
  var facetNotes = {
    relation: "Arrows point from the item to what it links to.",
    basis: "Structure (owned by, addressed to, part of) is explicit."
  };

  function initialChecked(facet) {
    return new Set(options[facet].filter(function (option) { return !option.initiallyOff; }).map(function (option) { return option.value; }));
  }

  function buildFilters() {
    var host = document.getElementById("cp-filters");
    clear(host);
    FACETS.forEach(function (facet) {
      state.checked[facet] = initialChecked(facet);
      if (!options[facet].length) { return; }
      var fieldset = el("fieldset", { attributes: { "data-facet": facet } }, el("legend", { text: facetTitles[facet] }));
      if (facetNotes[facet]) { fieldset.appendChild(el("p", { className: "cp-note", text: facetNotes[facet] })); }
      options[facet].forEach(function (option) {
        var input = el("input", { attributes: { type: "checkbox", "data-facet": facet } });
        input.value = option.value;
        input.checked = !option.initiallyOff;
        input.addEventListener("change", function () {
          if (input.checked) { state.checked[facet].add(option.value); } else { state.checked[facet].delete(option.value); }
          applyFilters();
        });
        var text = el("span", { className: "cp-option-text", text: option.text },
                      option.detail ? el("span", { className: "cp-option-detail", text: option.detail }) : null);
        fieldset.appendChild(el("label", {}, input, option.swatch || null, text,
                                el("span", { className: "cp-count", text: String(option.count) })));
      });
      host.appendChild(fieldset);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Visibility

  function nodePasses(node) {
    var checked = state.checked;
    if (!checked.type.has(node.type)) { return false; }
    if (columns && node.type !== "workstream" && !node.linked && !checked.linked.has("unlinked")) { return false; }
    if (!isRegistry(node) && node.plan && options.plan.length && !checked.plan.has(node.plan)) { return false; }
    if (statusTypes.has(node.type) && options.status.length && !checked.status.has(node.status || NONE)) { return false; }
    if (node.type === "recommendation" && options.response.length && !checked.response.has(node.response || NONE)) { return false; }
    return true;
  }

  function edgePasses(edge) {
    return state.checked.relation.has(edge.relation) && state.checked.basis.has(edge.basis);
  }

  function computeVisible() {
    var passing = new Set();
    nodeList.forEach(function (node) { if (nodePasses(node)) { passing.add(node.id); } });
    var edgeOk = edgeList.map(edgePasses);
    var visible = new Set();
    var queue = [];
    passing.forEach(function (id) {
      var node = nodeById.get(id);
      if (!isRegistry(node)) { visible.add(id); queue.push(id); } else if (floating.has(id)) { visible.add(id); }
    });
    // Organisations, documents and programmes are shown while something shown links to them.
    while (queue.length) {
      var current = queue.pop();
      adjacency.get(current).forEach(function (index) {
        if (!edgeOk[index]) { return; }
        var other = otherEnd(edgeList[index], current);
        if (!visible.has(other) && passing.has(other) && isRegistry(nodeById.get(other))) { visible.add(other); queue.push(other); }
      });
    }
    if (state.focus && nodeById.has(state.focus)) {
      visible = neighbourhood(state.focus, state.depth, visible, edgeOk);
    }
    var edgesVisible = new Set();
    edgeList.forEach(function (edge, index) {
      if (edgeOk[index] && visible.has(edge.from) && visible.has(edge.to)) { edgesVisible.add(edge.id); }
    });
    return { nodes: visible, edges: edgesVisible };
  }

  // Structure is followed only from container to member: upwards, one hop reaches the plan and the next every item of it.
  function neighbourhood(start, depth, allowed, edgeOk) {
    var reached = new Set([start]);
    var frontier = [start];
    for (var hop = 0; hop < depth; hop++) {
      var following = [];
      frontier.forEach(function (current) {
        adjacency.get(current).forEach(function (index) {
          var edge = edgeList[index];
          if (!edgeOk[index]) { return; }
          if (edge.relation === "part-of" && edge.to !== current) { return; }
          var other = otherEnd(edge, current);
          if (!reached.has(other) && allowed.has(other)) { reached.add(other); following.push(other); }
        });
      });
      frontier = following;
    }
    return reached;
  }

  var lastVisible = { nodes: new Set(nodeList.map(function (n) { return n.id; })), edges: new Set(edgeList.map(function (e) { return e.id; })) };

  function applyFilters() {
    var visible = computeVisible();
    var nodeUpdates = [], edgeUpdates = [];
    nodeList.forEach(function (node) {
      var hidden = !visible.nodes.has(node.id);
      if (hidden !== hiddenNodes.has(node.id)) {
        nodeUpdates.push({ id: node.id, hidden: hidden });
        if (hidden) { hiddenNodes.add(node.id); } else { hiddenNodes.delete(node.id); }
      }
    });
    edgeList.forEach(function (edge) {
      var hidden = !visible.edges.has(edge.id);
      if (hidden !== hiddenEdges.has(edge.id)) {
        edgeUpdates.push({ id: edge.id, hidden: hidden });
        if (hidden) { hiddenEdges.add(edge.id); } else { hiddenEdges.delete(edge.id); }
      }
    });
    setHidden(nodeUpdates, edgeUpdates);
    lastVisible = visible;
    if (columns && api.ready) { restack(); }
    if (state.selected && hiddenNodes.has(state.selected)) { network.unselectAll(); }
    updateStatus();
  }

  // Hiding through DataSet.update costs ~0.2 ms a node (vis re-parses each node's options) and
  // several redraws; at 10,000 nodes that is seconds. Flip the flag vis reads and redraw once.
  function setHidden(nodeUpdates, edgeUpdates) {
    var body = network.body;
    if (!nodeUpdates.length && !edgeUpdates.length) { return; }
    if (!body || !body.nodes || !body.edges || !body.emitter) {
      visNodes.update(nodeUpdates);
      visEdges.update(edgeUpdates);
      return;
    }
    nodeUpdates.forEach(function (update) { if (body.nodes[update.id]) { body.nodes[update.id].options.hidden = update.hidden; } });
    edgeUpdates.forEach(function (update) { if (body.edges[update.id]) { body.edges[update.id].options.hidden = update.hidden; } });
    body.emitter.emit("_dataChanged");
  }

  function updateStatus() {
    var text = "Showing " + lastVisible.nodes.size + " of " + plural(nodeList.length, "node") + " · " +
      lastVisible.edges.size + " of " + plural(edgeList.length, "link");
    if (state.focus) {
      var focusNode = nodeById.get(state.focus);
      text += " · focus on " + focusNode.id + " (" + plural(state.depth, "hop") + ")";
    }
    document.getElementById("cp-status").textContent = text;
  }

  api.visibleCounts = function () {
    return {
      nodes: lastVisible.nodes.size, edges: lastVisible.edges.size,
      drawnNodes: network.body.nodeIndices.length, drawnEdges: network.body.edgeIndices.length
    };
  };
  api.visibleNodeIds = function () { return Array.from(lastVisible.nodes).sort(); };
  api.visibleEdgeIds = function () { return Array.from(lastVisible.edges).sort(); };
  api.applyFilters = applyFilters;

  function fitVisible(animate) {
    if (columns) { fitColumns(animate !== false); return; }
    var ids = Array.from(lastVisible.nodes);
    if (!ids.length) { return; }
    network.fit({ nodes: ids, animation: animate === false ? false : { duration: 300, easingFunction: "easeInOutQuad" } });
  }

  // ---------------------------------------------------------------------------------------------
  // Selection and side panel

  var panel = document.getElementById("cp-panel");
  var focusButton = document.getElementById("cp-focus");
  var depthInput = document.getElementById("cp-depth");

  function nodeButton(id, text) {
    var node = nodeById.get(id);
    var button = el("button", { className: "cp-node-link", text: text || (node ? nodeName(node) : id), title: id,
                                attributes: { type: "button", "data-node": id } });
    button.addEventListener("click", function () { select(id, { animate: true }); });
    return button;
  }

  function typeBadge(type) {
    var badge = el("span", { className: "cp-type", text: style.types[type] ? style.types[type].caption : type });
    if (style.types[type]) { badge.style.background = style.types[type].color; }
    return badge;
  }

  function definitionList(rows) {
    var list = el("dl");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "" || (Array.isArray(row[1]) && !row[1].length)) { return; }
      list.appendChild(el("dt", { text: row[0] }));
      var value = row[1];
      var dd = el("dd");
      if (Array.isArray(value)) {
        value.forEach(function (part, i) {
          if (i) { dd.appendChild(document.createTextNode(", ")); }
          dd.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
        });
      } else {
        dd.appendChild(typeof value === "string" ? document.createTextNode(value) : value);
      }
      list.appendChild(dd);
    });
    return list.childNodes.length ? list : null;
  }

  function statusText(record) {
    if (!record.status && !record.statusText) { return null; }
    var text = record.status ? caption(record.status) : "";
    if (record.statusText && record.statusText.toLowerCase() !== text.toLowerCase()) {
      text += (text ? " — as printed: " : "as printed: ") + "“" + record.statusText + "”";
    }
    return text;
  }

  function targetList(record) {
    if (record.targetDates && record.targetDates.length) { return record.targetDates; }
    return record.targetDateValues || [];
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function linkCard(edge, id) {
    var outgoing = edge.from === id;
    var other = outgoing ? edge.to : edge.from;
    var relationStyle = style.relations[edge.relation];
    var relation = el("span", { className: "cp-relation", text: outgoing ? relationStyle.caption : relationStyle.caption + " (from)" });
    relation.style.color = relationStyle.color === "#cfd6df" ? "#6b7280" : relationStyle.color;
    var head = el("div", { className: "cp-link-head" }, outgoing ? "→ " : "← ", relation, " ", nodeButton(other),
                  el("span", { className: "cp-basis", text: edge.basis + (edge.proposed ? " (not yet reviewed)" : "") }));
    var card = el("div", { className: "cp-link", attributes: { "data-edge": edge.id } }, head);
    if (edge.quote) { card.appendChild(el("blockquote", { text: edge.quote, title: "Quote from the source of " + edge.from })); }
    if (edge.targetQuote) { card.appendChild(el("blockquote", { text: edge.targetQuote, title: "Quote from the source of " + edge.to })); }
    var details = [];
    if (edge.fromVia) { details.push("from the update " + edge.fromVia); }
    if (edge.toVia) { details.push("to the update " + edge.toVia); }
    var fromNode = nodeById.get(edge.from);
    var usualSource = fromNode && fromNode.plan ? data.planSources[fromNode.plan] : null;
    if (edge.document && edge.document === usualSource) {
      // The plan's own source document: not worth repeating on every link.
    } else if (edge.document && nodeById.has(edge.document)) {
      card.appendChild(el("div", { className: "cp-muted" }, "Source: ", nodeButton(edge.document)));
    } else if (edge.document) {
      details.push("source: " + edge.document);
    }
    if (edge.method) { details.push("method: " + edge.method); }
    if (edge.date) { details.push("date: " + edge.date); }
    if (details.length) { card.appendChild(el("div", { className: "cp-muted", text: details.join(" · ") })); }
    if (edge.note) { card.appendChild(el("div", { className: "cp-muted", text: "Note: " + edge.note })); }
    if (edge.evidence) { card.appendChild(el("div", { className: "cp-muted", text: "Evidence: " + edge.evidence })); }
    return card;
  }

  function updateCard(update) {
    var head = el("div", { className: "cp-update-head", text: [update.date, update.title].filter(Boolean).join(" · ") || update.id });
    var card = el("div", { className: "cp-update", attributes: { "data-update": update.id } }, head);
    card.appendChild(el("div", { className: "cp-id cp-muted", text: update.id }));
    var rows = definitionList([
      ["Status", statusText(update)],
      ["Owners", update.owners],
      ["Target dates", targetList(update)]
    ]);
    if (rows) { card.appendChild(rows); }
    if (update.text) { card.appendChild(el("div", { className: "cp-text", text: update.text })); }
    if (update.note) { card.appendChild(el("div", { className: "cp-muted", text: "Note: " + update.note })); }
    return card;
  }

  function showNode(id) {
    var node = nodeById.get(id);
    clear(panel);
    var header = el("div", {}, typeBadge(node.type), el("span", { className: "cp-id", text: node.id }));
    panel.appendChild(header);
    // A shortened label ("…") is no heading: the full text follows.
    var heading = node.title || (node.name && !/…$/.test(node.name) ? node.name : null);
    if (heading) { panel.appendChild(el("h2", { text: heading })); }
    if (hiddenNodes.has(id)) {
      panel.appendChild(el("p", { className: "cp-warning", text: "Hidden by the current filters or focus: Reset shows it." }));
    }
    var actions = el("div", { className: "cp-actions" });
    var focusHere = el("button", { text: "Focus here", attributes: { type: "button", "data-action": "focus" } });
    focusHere.addEventListener("click", function () { focusOn(id); });
    actions.appendChild(focusHere);
    panel.appendChild(actions);

    var planNode = node.plan && node.plan !== node.id ?
      (nodeById.has(node.plan) ? nodeButton(node.plan) : (planTitle.get(node.plan) || node.plan) + " (" + node.plan + ")") : null;
    var url = node.url || null;
    if (url && safeUrl(url)) {
      // Only http(s) addresses become links; anything else (javascript:, data:) stays plain text.
      url = el("a", { text: node.url, attributes: { rel: "noopener noreferrer", target: "_blank" } });
      url.href = node.url;
    }
    var rows = [
      ["Plan", planNode],
      ["Workstream", node.workstream ? (nodeById.has(node.workstream) ? nodeButton(node.workstream) : node.workstream) : null],
      ["Part of", node.parent ? (nodeById.has(node.parent) ? nodeButton(node.parent) : node.parent) : null],
      ["Number", node.number],
      ["Name", node.title && node.name && node.name !== node.title ? node.name : null],
      ["Also known as", node.abbreviations],
      ["Response", node.response ? caption(node.response) : null],
      ["Status", statusText(node)],
      ["Timescale", node.timescale],
      ["Addressed to", node.addresseeText],
      ["Owners", node.owners],
      ["Target dates", targetList(node)],
      ["Date", node.date],
      ["Published by", (node.publishers || []).map(function (publisher) { return nodeById.has(publisher) ? nodeButton(publisher) : publisher; })],
      ["Source", node.source ? (nodeById.has(node.source) ? nodeButton(node.source) : node.source) : null],
      ["Web address", url],
      ["Licence", node.licence]
    ];
    var list = definitionList(rows);
    if (node.text) {
      panel.appendChild(el("h3", { text: "Text" }));
      panel.appendChild(el("div", { className: "cp-text", text: node.text }));
    }
    if (list) { panel.appendChild(el("h3", { text: "Details" })); panel.appendChild(list); }
    if (node.note) { panel.appendChild(el("p", { className: "cp-muted", text: "Note: " + node.note })); }

    var incident = adjacency.get(id).map(function (index) { return edgeList[index]; });
    incident.sort(function (a, b) {
      var rank = function (edge) { return edge.relation === "part-of" ? 2 : (edge.relation === "owned-by" || edge.relation === "addressed-to" ? 1 : 0); };
      return rank(a) - rank(b) || (a.from === id ? 0 : 1) - (b.from === id ? 0 : 1) || a.relation.localeCompare(b.relation);
    });
    panel.appendChild(el("h3", { text: "Links (" + incident.length + ")" }));
    if (!incident.length) { panel.appendChild(el("p", { className: "cp-muted", text: "No links in this view." })); }
    incident.forEach(function (edge) { panel.appendChild(linkCard(edge, id)); });
    (node.innerLinks || []).forEach(function (edge) {
      var card = el("div", { className: "cp-link" }, el("div", { className: "cp-link-head", text: "Within this item: " + caption(edge.relation) }),
                    el("span", { className: "cp-basis", text: edge.basis }));
      if (edge.quote) { card.appendChild(el("blockquote", { text: edge.quote })); }
      card.appendChild(el("div", { className: "cp-muted", text: (edge.fromVia || edge.from) + " → " + (edge.toVia || edge.to) }));
      panel.appendChild(card);
    });
    if (node.updates && node.updates.length) {
      panel.appendChild(el("h3", { text: "Dated updates (" + node.updates.length + ")" }));
      node.updates.forEach(function (update) { panel.appendChild(updateCard(update)); });
    }
    panel.scrollTop = 0;
  }

  function showEdge(edgeId) {
    var edge = edgeById.get(edgeId);
    if (!edge) { return; }
    clear(panel);
    var relationStyle = style.relations[edge.relation];
    panel.appendChild(el("h2", { text: relationStyle.caption }));
    panel.appendChild(el("p", {}, nodeButton(edge.from), " → ", nodeButton(edge.to)));
    panel.appendChild(linkCard(edge, edge.from));
  }

  function select(id, how) {
    if (!nodeById.has(id)) { return; }
    state.selected = id;
    focusButton.disabled = false;
    if (!hiddenNodes.has(id)) {
      network.selectNodes([id]);
      var animate = how && how.animate;
      network.focus(id, { scale: Math.max(network.getScale(), columns ? 0.8 : 1.0),
                          animation: animate ? { duration: 350, easingFunction: "easeInOutQuad" } : false });
    } else {
      network.unselectAll();
    }
    showNode(id);
  }
  api.select = select;

  function clearSelection() {
    state.selected = null;
    focusButton.disabled = true;
    network.unselectAll();
    clear(panel);
    panel.appendChild(el("p", { className: "cp-hint", text: "Click a node to see its full text, status, dated updates, owners and every link with its quote." }));
  }

  function focusOn(id) {
    state.focus = id;
    state.depth = Math.max(1, Math.min(9, parseInt(depthInput.value, 10) || 1));
    depthInput.value = String(state.depth);
    applyFilters();
    fitVisible(true);
    select(id, { animate: false });
  }

  network.on("click", function (params) {
    hideTooltip();
    if (params.nodes.length) { select(params.nodes[0], { animate: false }); }
    else if (params.edges.length) { state.selected = null; focusButton.disabled = true; showEdge(params.edges[0]); }
    else { clearSelection(); }
  });

  focusButton.addEventListener("click", function () { if (state.selected) { focusOn(state.selected); } });
  depthInput.addEventListener("change", function () { if (state.focus) { focusOn(state.focus); } });
  document.getElementById("cp-fit").addEventListener("click", function () { fitVisible(true); });
  document.getElementById("cp-reset").addEventListener("click", function () {
    FACETS.forEach(function (facet) { state.checked[facet] = initialChecked(facet); });
    document.querySelectorAll("#cp-filters input[type=checkbox]").forEach(function (input) {
      input.checked = state.checked[input.getAttribute("data-facet")].has(input.value);
    });
    state.focus = null;
    state.depth = 1;
    depthInput.value = "1";
    searchInput.value = "";
    closeResults();
    applyFilters();
    clearSelection();
    fitVisible(true);
  });

  // ---------------------------------------------------------------------------------------------
  // Tooltips

  var tooltip = document.getElementById("cp-tooltip");
  function showTooltip(parts, pointer) {
    clear(tooltip);
    tooltip.appendChild(el("div", { className: "cp-tooltip-head", text: parts[0] }));
    for (var i = 1; i < parts.length; i++) { if (parts[i]) { tooltip.appendChild(el("div", { text: parts[i] })); } }
    var box = container.getBoundingClientRect();
    tooltip.hidden = false;
    var x = box.left + pointer.x + 14, y = box.top + pointer.y + 14;
    var width = tooltip.offsetWidth, height = tooltip.offsetHeight;
    if (x + width > window.innerWidth - 4) { x = Math.max(4, box.left + pointer.x - width - 14); }
    if (y + height > window.innerHeight - 4) { y = Math.max(4, box.top + pointer.y - height - 14); }
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  }
  function hideTooltip() { tooltip.hidden = true; }
  function shorten(text, width) {
    text = String(text || "");
    return text.length <= width ? text : text.slice(0, width - 1).replace(/\s+\S*$/, "") + "…";
  }

  network.on("hoverNode", function (params) {
    var node = nodeById.get(params.node);
    var typeCaption = style.types[node.type] ? style.types[node.type].caption : node.type;
    showTooltip([typeCaption + " · " + node.id, nodeName(node),
                 node.text && node.text !== nodeName(node) ? shorten(node.text, 280) : null,
                 node.status ? "Status: " + caption(node.status) : null], params.pointer.DOM);
  });
  network.on("hoverEdge", function (params) {
    var edge = edgeById.get(params.edge);
    if (!edge) { return; }
    var from = nodeById.get(edge.from), to = nodeById.get(edge.to);
    showTooltip([style.relations[edge.relation].caption + " · " + edge.basis,
                 nodeName(from) + " → " + nodeName(to), edge.quote ? "“" + shorten(edge.quote, 240) + "”" : null], params.pointer.DOM);
  });
  network.on("blurNode", hideTooltip);
  network.on("blurEdge", hideTooltip);
  network.on("dragStart", hideTooltip);
  network.on("zoom", hideTooltip);

  // ---------------------------------------------------------------------------------------------
  // Search

  var searchInput = document.getElementById("cp-search-input");
  var resultList = document.getElementById("cp-search-results");
  var haystacks = null;
  var results = [];
  var active = -1;

  function haystackOf(node) {
    return [node.id, node.label, node.name, node.title, node.text, (node.abbreviations || []).join(" ")]
      .filter(Boolean).join("\n").toLowerCase();
  }

  function search(query) {
    query = query.trim().toLowerCase();
    if (!query) { return []; }
    if (!haystacks) { haystacks = nodeList.map(haystackOf); }
    var words = query.split(/\s+/);
    var found = [];
    nodeList.forEach(function (node, index) {
      var haystack = haystacks[index];
      for (var i = 0; i < words.length; i++) { if (haystack.indexOf(words[i]) < 0) { return; } }
      var id = node.id.toLowerCase();
      var name = (nodeName(node) + "\n" + node.label).toLowerCase();
      var score = id === query || id.endsWith("/" + query) ? 0 : id.indexOf(query) >= 0 ? 1 : name.indexOf(query) >= 0 ? 2 : 3;
      found.push({ node: node, score: score });
    });
    found.sort(function (a, b) { return a.score - b.score || a.node.id.localeCompare(b.node.id); });
    return found.map(function (item) { return item.node; });
  }

  function closeResults() { resultList.hidden = true; clear(resultList); results = []; active = -1; }

  function renderResults() {
    clear(resultList);
    if (!searchInput.value.trim()) { resultList.hidden = true; return; }
    if (!results.length) {
      resultList.appendChild(el("li", { className: "cp-empty", text: "No node matches" }));
    }
    results.slice(0, 30).forEach(function (node, index) {
      var item = el("li", { attributes: { role: "option", "data-node": node.id, "aria-selected": index === active ? "true" : "false" } },
                    el("span", { className: "cp-result-id", text: node.id }),
                    el("span", { className: "cp-result-text", text: nodeName(node) }));
      item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(node.id); });
      resultList.appendChild(item);
    });
    if (results.length > 30) { resultList.appendChild(el("li", { className: "cp-empty", text: (results.length - 30) + " more: type more words" })); }
    resultList.hidden = false;
  }

  function choose(id) {
    closeResults();
    select(id, { animate: true });
  }

  var searchTimer = null;
  searchInput.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(function () {
      results = search(searchInput.value);
      active = results.length ? 0 : -1;
      renderResults();
    }, nodeList.length > 3000 ? 150 : 0);
  });
  searchInput.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!results.length) { return; }
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + Math.min(results.length, 30)) % Math.min(results.length, 30);
      renderResults();
      event.preventDefault();
    } else if (event.key === "Enter") {
      window.clearTimeout(searchTimer);
      results = search(searchInput.value);
      if (results.length) { choose(results[Math.max(active, 0)].id); }
      event.preventDefault();
    } else if (event.key === "Escape") {
      closeResults();
    }
  });
  searchInput.addEventListener("blur", function () { window.setTimeout(closeResults, 150); });
  api.search = search;

  // ---------------------------------------------------------------------------------------------

  buildOptions();
  buildFilters();
  applyFilters();
})();
