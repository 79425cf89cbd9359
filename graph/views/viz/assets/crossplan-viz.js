/* crossplan browser graph: three views of one file. The mapping (SVG) and matrix (a table) are drawn from
 * the layout Python computed; the full graph is vis-network, laid out here by plan and workstream, with
 * big groups folded until clicked. Filters, search, focus, side panel and tooltips; window.crossplan
 * exposes show(view, options), select(id) and geometry() for tests.
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

  // The graph view is laid out by this script (plans and workstreams as regions), never by physics;
  // the mapping and matrix views are SVG and HTML drawn from the layout Python computed.
  var fontFace = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'DejaVu Sans', sans-serif";

  var BOX_WIDTH = { plan: 270, workstream: 230, recommendation: 230, action: 190 };
  var BOX_FONT = { plan: 18, workstream: 16, recommendation: 15, action: 12 };
  var DARK_TYPES = new Set(["plan", "workstream", "recommendation", "programme"]);
  function groupOptions() {
    var groups = {};
    Object.keys(style.types).forEach(function (type) {
      var typeStyle = style.types[type];
      var inside = true;
      var width = BOX_WIDTH[type] || 170;
      groups[type] = {
        shape: "box",
        widthConstraint: { minimum: width, maximum: width },
        shapeProperties: { borderRadius: 3 },
        color: {
          background: typeStyle.color, border: darker(typeStyle.color, 0.7),
          highlight: { background: typeStyle.color, border: "#111827" },
          hover: { background: typeStyle.color, border: "#111827" }
        },
        // Borders cost a third of each redraw at 10,000 nodes and are invisible at that zoom.
        borderWidth: big ? 0 : 1,
        borderWidthSelected: 3,
        font: { color: DARK_TYPES.has(type) ? "#ffffff" : "#1f2937", size: BOX_FONT[type] || 12, face: fontFace,
                strokeWidth: 0, align: "left" },
        margin: 6
      };
    });
    return groups;
  }

  function visNode(node) {
    var item = { id: node.id, group: node.type, label: node.label, x: node.x, y: node.y, physics: false };
    if (node.type === "action") { item.mass = 0.5; }
    if (node.status === "removed") { item.opacity = 0.45; }
    return item;
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
  // vis holds only what is drawn (the layout adds and removes): building 10,000 vis nodes takes 3 s, and
  // every change to a big network revalidates all of them.
  var visNodes = new vis.DataSet([]);
  var visEdges = new vis.DataSet([]);
  var hiddenNodes = new Set();
  var hiddenEdges = new Set();
  var big = nodeList.length > 3000;

  var physics = { enabled: false };

  var container = document.getElementById("cp-network");
  var created = performance.now();
  var network = new vis.Network(container, { nodes: visNodes, edges: visEdges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    groups: groupOptions(),
    nodes: { font: { face: fontFace }, scaling: { label: { drawThreshold: 4 } } },
    edges: {
      smooth: false,  // straight: an edge runs between the two box borders the geometry reports
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

  // The full graph is laid out when first shown: a page that opens on the plans or a mapping does not wait for it.
  var graphLaidOut = false;
  function layoutGraphOnce() {
    if (graphLaidOut) { return; }
    graphLaidOut = true;
    layoutGraph();
    api.timing.laidOut = performance.now();
    relayoutMeasured();
    api.timing.measured = performance.now();
    fitVisible(false);
  }

  function markReady(iterations) {
    api.timing.scheduled = performance.now();
    var initialView = (data.initial || { view: "graph" }).view;
    if (initialView === "graph" || (initialView === "plans" && !data.overview) || (initialView !== "plans" && !(data.mappings || []).length)) {
      layoutGraphOnce();
    }
    api.timing.ready = performance.now();
    api.timing.seconds = (api.timing.ready - created) / 1000;
    api.timing.iterations = iterations;
    progress.textContent = "";
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
    var initial = data.initial || { view: "graph" };
    show(initial.view, initial);
    // A focus preset: the toolbar shows the hops the file was cut to.
    if (data.depth) { depthInput.value = String(data.depth); }
    if (data.selected && nodeById.has(data.selected)) { select(data.selected, { animate: false }); }
  }

  // No physics: the layout is computed, so the page is ready as soon as the script has run.
  window.setTimeout(function () { markReady(0); }, 0);

  // ---------------------------------------------------------------------------------------------
  // The graph view's layout: each plan a region, each workstream a block of its items, registries
  // and nodes linked to nothing in regions of their own. Regions never overlap, so a region's box
  // covers only its members. Above CLUSTER_ABOVE shown nodes, blocks collapse into one node each that
  // opens on click (pan and zoom stay smooth at 10,000 nodes).

  var CLUSTER_ABOVE = 1200;
  var READABLE_SCALE = 12.4 / 15;  // recommendations are drawn at 15 px: at least 12 px on screen, with a margin
  var graphLayout = { groups: [], clusters: new Map() };
  var expanded = new Set();
  var sizeCache = new Map();
  var collapsedHidden = new Set();
  var relayingOut = false;
  var regionFill = ["rgba(0,114,178,0.06)", "rgba(0,158,115,0.07)", "rgba(213,94,0,0.06)", "rgba(204,121,167,0.07)",
                    "rgba(230,159,0,0.07)", "rgba(86,180,233,0.08)"];

  function sizeOf(id) {
    if (sizeCache.has(id)) { return sizeCache.get(id); }
    var node = nodeById.get(id);
    var type = node ? node.type : "cluster";
    var lines = String(node ? node.label : (graphLayout.clusters.get(id) || {}).label || "").split("\n").length;
    var font = BOX_FONT[type] || 12;
    return { w: (BOX_WIDTH[type] || 170) + 12, h: lines * Math.round(font * 1.15) + 12 };
  }

  function measureSizes(ids) {
    ids.forEach(function (id) {
      var box = network.getBoundingBox(id);
      if (box && isFinite(box.right - box.left)) {
        sizeCache.set(id, { w: box.right - box.left, h: box.bottom - box.top });
      }
    });
  }

  // Place items (with w, h) left to right in rows no wider than maxWidth; return the total size.
  function packRows(items, maxWidth, gapX, gapY) {
    var x = 0, y = 0, rowHeight = 0, width = 0;
    items.forEach(function (item) {
      if (x > 0 && x + item.w > maxWidth) { x = 0; y += rowHeight + gapY; rowHeight = 0; }
      item.x = x; item.y = y;
      x += item.w + gapX;
      rowHeight = Math.max(rowHeight, item.h);
      width = Math.max(width, x - gapX);
    });
    return { w: width, h: y + rowHeight };
  }

  function byDocument(a, b) {
    var pa = typeof a.position === "number" ? a.position : 1e9, pb = typeof b.position === "number" ? b.position : 1e9;
    return pa - pb || (parseInt(a.number, 10) || 1e9) - (parseInt(b.number, 10) || 1e9) || a.id.localeCompare(b.id);
  }

  function blocksOf(shown) {
    // key -> {header, members}; a plan's items without a workstream form the block "plan#rest".
    var regions = new Map(), registry = [], loose = [];
    var shownSet = new Set(shown.map(function (node) { return node.id; }));
    function region(plan) {
      if (!regions.has(plan)) { regions.set(plan, { plan: plan, node: null, blocks: new Map() }); }
      return regions.get(plan);
    }
    function block(reg, key, header) {
      if (!reg.blocks.has(key)) { reg.blocks.set(key, { key: key, header: header, members: [] }); }
      return reg.blocks.get(key);
    }
    // An item or registry entry none of whose links is shown (say, after a relation filter) goes apart,
    // with the nodes linked to nothing, instead of standing as an unconnected dot among the others.
    function linkedNow(id) {
      return adjacency.get(id).some(function (index) { return lastVisible.edges.has(edgeList[index].id); });
    }
    shown.slice().sort(byDocument).forEach(function (node) {
      if (node.loose || (node.type !== "plan" && node.type !== "workstream" && !linkedNow(node.id))) { loose.push(node.id); return; }
      if (isRegistry(node) || !node.plan) { registry.push(node.id); return; }
      var reg = region(node.plan);
      if (node.type === "plan") { reg.node = node.id; return; }
      if (node.type === "workstream") { block(reg, node.id, node.id); return; }
      var owner = node;
      while (owner && owner.type === "action" && owner.parent && nodeById.has(owner.parent)) { owner = nodeById.get(owner.parent); }
      var key = owner.workstream && shownSet.has(owner.workstream) ? owner.workstream : node.plan + "#rest";
      block(reg, key, key === owner.workstream ? owner.workstream : null).members.push(node.id);
    });
    // A recommendation's actions follow it.
    regions.forEach(function (reg) {
      reg.blocks.forEach(function (blk) {
        var order = [];
        var actions = new Map();
        blk.members.forEach(function (id) {
          var node = nodeById.get(id);
          if (node.type === "action" && node.parent) {
            if (!actions.has(node.parent)) { actions.set(node.parent, []); }
            actions.get(node.parent).push(id);
          }
        });
        var placed = new Set();
        blk.members.forEach(function (id) {
          var node = nodeById.get(id);
          if (node.type === "action" && node.parent && blk.members.indexOf(node.parent) >= 0) { return; }
          order.push(id); placed.add(id);
          (actions.get(id) || []).forEach(function (action) { order.push(action); placed.add(action); });
        });
        blk.members.forEach(function (id) { if (!placed.has(id)) { order.push(id); } });
        blk.members = order;
      });
    });
    return { regions: regions, registry: registry, loose: loose };
  }

  function clusterNode(key, label, members) {
    var id = "cluster:" + key;
    graphLayout.clusters.set(id, { id: id, key: key, label: label, members: members });
    return id;
  }

  function layoutGraph() {
    var started = performance.now();
    var shown = nodeList.filter(function (node) { return !hiddenNodes.has(node.id); });
    var collapse = shown.length > CLUSTER_ABOVE;
    var parts = blocksOf(shown);
    var blocked = performance.now();
    graphLayout.clusters = new Map();
    var hideNow = new Set();
    var regionsOut = [];
    var pad = 12;

    function blockItems(blk) {
      var items = [];
      var members = blk.members;
      if (collapse && !neverFold && members.length && !expanded.has(blk.key)) {
        var title = blk.header ? shorten(nodeName(nodeById.get(blk.header)), 40) : "Items with no workstream";
        var cid = clusterNode(blk.key, plural(members.length, "item") + " of " + title + "\n(click to open)", members);
        members.forEach(function (id) { hideNow.add(id); });
        members = [cid];
      }
      var sizes = members.map(function (id) { var s = sizeOf(id); return { id: id, w: s.w, h: s.h }; });
      var widest = sizes.reduce(function (m, s) { return Math.max(m, s.w); }, 0);
      var cols = Math.max(1, Math.min(sizes.length, Math.round(Math.sqrt(sizes.length * 1.1))));
      var grid = packRows(sizes.map(function (s) { return { id: s.id, w: widest, h: s.h, real: s.w }; }), cols * (widest + 10), 10, 8);
      var top = 0, header = null;
      if (blk.header) {
        var hs = sizeOf(blk.header);
        header = { id: blk.header, x: 0, y: 0, w: hs.w, h: hs.h };
        top = hs.h + 8;
      }
      if (header) { items.push(header); }
      return { header: header, cells: packCells(sizes, widest, cols, top), width: Math.max(grid.w, header ? header.w : 0),
               height: top + grid.h, key: blk.key };
    }

    function packCells(sizes, widest, cols, top) {
      var rowHeights = [];
      sizes.forEach(function (s, i) { var r = Math.floor(i / cols); rowHeights[r] = Math.max(rowHeights[r] || 0, s.h); });
      var y = top, rowTops = [];
      rowHeights.forEach(function (h, r) { rowTops[r] = y; y += h + 8; });
      return sizes.map(function (s, i) {
        return { id: s.id, x: (i % cols) * (widest + 10), y: rowTops[Math.floor(i / cols)], w: s.w, h: s.h };
      });
    }

    function simpleRegion(id, caption, ids, fill) {
      if (!ids.length) { return; }
      var members = ids;
      // The registry is a reference list: folded by default, so that the plans are read first.
      if (!neverFold && ((collapse && ids.length > 60) || ids.length > 24) && !expanded.has(id)) {
        members = [clusterNode(id, plural(ids.length, "node") + ": " + caption + "\n(click to open)", ids)];
        ids.forEach(function (member) { hideNow.add(member); });
      }
      var sizes = members.map(function (member) { var s = sizeOf(member); return { id: member, w: s.w, h: s.h }; });
      var widest = sizes.reduce(function (m, s) { return Math.max(m, s.w); }, 0);
      var cols = Math.max(1, Math.min(sizes.length, Math.round(Math.sqrt(sizes.length * 1.6))));
      var cells = packCells(sizes, widest, cols, 0);
      var width = Math.min(sizes.length, cols) * (widest + 10) - 10;
      var height = cells.reduce(function (m, c) { return Math.max(m, c.y + c.h); }, 0);
      width = Math.max(width, caption.length * 9);  // room for the caption above the region
      regionsOut.push({ id: id, caption: caption, cells: cells, blocks: [], w: width + 2 * pad, h: height + 2 * pad, fill: fill,
                        members: members });
    }

    var regionIndex = 0;
    parts.regions.forEach(function (reg, plan) {
      var blocks = [];
      reg.blocks.forEach(function (blk) { blocks.push(blockItems(blk)); });
      blocks.sort(function (a, b) { return (a.key.indexOf("#rest") >= 0 ? 0 : 1) - (b.key.indexOf("#rest") >= 0 ? 0 : 1); });
      var top = 0, cells = [];
      if (reg.node) { var ps = sizeOf(reg.node); cells.push({ id: reg.node, x: 0, y: 0, w: ps.w, h: ps.h }); top = ps.h + 14; }
      var area = blocks.reduce(function (sum, b) { return sum + (b.width + 20) * (b.height + 20); }, 0);
      var widest = blocks.reduce(function (m, b) { return Math.max(m, b.width); }, 0);
      var boxes = blocks.map(function (b) { return { w: b.width + 12, h: b.height + 12, block: b }; });
      var packed = packRows(boxes, Math.max(widest + 12, Math.sqrt(area) * 1.5), 20, 20);
      var blockGroups = [];
      boxes.forEach(function (box) {
        var ox = box.x + 6, oy = top + box.y + 6;
        var ids = [];
        if (box.block.header) { cells.push({ id: box.block.header.id, x: ox, y: oy, w: box.block.header.w, h: box.block.header.h }); ids.push(box.block.header.id); }
        box.block.cells.forEach(function (c) { cells.push({ id: c.id, x: ox + c.x, y: oy + c.y, w: c.w, h: c.h }); ids.push(c.id); });
        if (box.block.header) {
          blockGroups.push({ id: box.block.key, x: box.x, y: top + box.y, w: box.w, h: box.h, members: ids });
        }
      });
      var width = Math.max(packed.w, reg.node ? sizeOf(reg.node).w : 0);
      // Without its plan box (a focus preset), the region is captioned with the plan's title.
      var planCaption = reg.node ? null : shorten(planTitle.get(plan) || plan, 70);
      if (planCaption) { width = Math.max(width, planCaption.length * 9); }
      regionsOut.push({ id: plan, caption: planCaption, cells: cells, blocks: blockGroups, w: width + 2 * pad, h: top + packed.h + 2 * pad,
                        fill: regionFill[regionIndex++ % regionFill.length],
                        members: cells.map(function (c) { return c.id; }) });
    });
    simpleRegion("registry", "Organisations, documents and programmes", parts.registry, "rgba(230,159,0,0.06)");
    simpleRegion("loose", "Linked to nothing in this view", parts.loose, "rgba(107,114,128,0.06)");

    var aspect = Math.max(1, container.clientWidth / Math.max(1, container.clientHeight));
    var totalArea = regionsOut.reduce(function (sum, r) { return sum + (r.w + 60) * (r.h + 60); }, 0);
    var widestRegion = regionsOut.reduce(function (m, r) { return Math.max(m, r.w); }, 0);
    packRows(regionsOut, Math.max(widestRegion, Math.sqrt(totalArea * aspect)), 60, 60);

    var moves = [], groups = [];
    regionsOut.forEach(function (reg) {
      var ox = reg.x + pad, oy = reg.y + pad;
      reg.cells.forEach(function (c) { moves.push({ id: c.id, x: ox + c.x + c.w / 2, y: oy + c.y + c.h / 2 }); });
      groups.push({ id: reg.id, x: reg.x, y: reg.y, width: reg.w, height: reg.h, members: reg.members, fill: reg.fill,
                    stroke: "rgba(107,114,128,0.35)", caption: reg.caption, kind: "region" });
      reg.blocks.forEach(function (b) {
        groups.push({ id: b.id, x: ox + b.x, y: oy + b.y, width: b.w, height: b.h, members: b.members,
                      fill: "rgba(255,255,255,0.55)", stroke: "rgba(0,158,115,0.45)", caption: null, kind: "workstream" });
      });
    });
    graphLayout.groups = groups;

    // Hand vis exactly what is drawn: shown nodes not folded into a group, the groups, and the shown links between them.
    collapsedHidden = hideNow;
    var placed = performance.now();
    if (syncDrawn(moves) && !relayingOut) {
      relayingOut = true;
      try { layoutGraph(); } finally { relayingOut = false; }
      return;
    }
    // Where a layout's time goes (bench/page.py reports it).
    api.timing.layout = { blocks: blocked - started, place: placed - blocked, draw: performance.now() - placed };
  }

  function syncDrawn(moves) {
    var drawn = new Map();
    moves.forEach(function (move) { drawn.set(move.id, move); });
    var present = new Set(visNodes.getIds());
    var removeNodes = [], addNodes = [];
    present.forEach(function (id) { if (!drawn.has(id)) { removeNodes.push(id); } });
    drawn.forEach(function (move, id) {
      if (present.has(id)) { return; }
      var node = nodeById.get(id);
      var item = node ? visNode(node) : clusterItem(id);
      item.x = move.x; item.y = move.y;
      addNodes.push(item);
    });
    addNodes.sort(function (a, b) {
      var na = nodeById.get(a.id), nb = nodeById.get(b.id);
      return (na ? drawOrder[na.type] || 0 : 5) - (nb ? drawOrder[nb.type] || 0 : 5);
    });
    var wanted = new Set();
    lastVisible.edges.forEach(function (id) {
      var edge = edgeById.get(id);
      if (drawn.has(edge.from) && drawn.has(edge.to)) { wanted.add(id); }
    });
    var presentEdges = new Set(visEdges.getIds());
    var removeEdges = [], addEdges = [];
    presentEdges.forEach(function (id) { if (!wanted.has(id)) { removeEdges.push(id); } });
    wanted.forEach(function (id) { if (!presentEdges.has(id)) { addEdges.push(visEdge(edgeById.get(id))); } });
    if (removeEdges.length) { visEdges.remove(removeEdges); }
    if (removeNodes.length) { visNodes.remove(removeNodes); }
    if (addNodes.length) { visNodes.add(addNodes); }
    if (addEdges.length) { visEdges.add(addEdges); }
    moveNodes(moves);
    // Newly drawn boxes were placed at an estimated size: measure them, and say whether to lay out again.
    var resized = false;
    addNodes.forEach(function (item) {
      var estimate = sizeOf(item.id);
      var box = network.getBoundingBox(item.id);
      if (!box || !isFinite(box.right - box.left)) { return; }
      var size = { w: box.right - box.left, h: box.bottom - box.top };
      sizeCache.set(item.id, size);
      if (Math.abs(size.w - estimate.w) > 0.5 || Math.abs(size.h - estimate.h) > 0.5) { resized = true; }
    });
    return resized;
  }

  function clusterItem(id) {
    var cluster = graphLayout.clusters.get(id);
    return { id: id, label: cluster.label, shape: "box", physics: false, widthConstraint: { minimum: 200, maximum: 200 },
             margin: 8, font: { size: 15, color: "#1f2937", face: fontFace, align: "left" },
             color: { background: "#e5e7eb", border: "#6b7280" }, borderWidth: 1 };
  }

  function relayoutMeasured() {
    var ids = network.body.nodeIndices.slice();
    measureSizes(ids);
    layoutGraph();
  }

  function openCluster(id) {
    var cluster = graphLayout.clusters.get(id);
    if (!cluster) { return false; }
    expanded.add(cluster.key);
    layoutGraph();
    var members = cluster.members.filter(function (member) { return !hiddenNodes.has(member) && !collapsedHidden.has(member); });
    if (members.length) { network.fit({ nodes: members, animation: false }); }
    return true;
  }
  api.openCluster = openCluster;
  // Open every folded group and fold none from now on (tests compare what is drawn with what the filters show).
  var neverFold = false;
  api.openAll = function () {
    layoutGraphOnce();
    neverFold = true;
    layoutGraph();
    fitVisible(false);
  };

  // Dim everything but ``keep`` (ids); null restores the picture.
  function emphasise(keep) {
    if (nodeList.length > 3000 && keep === null && !api.dimmed) { return; }
    var drawnNodes = network.body.nodeIndices.slice(), drawnEdges = network.body.edgeIndices.slice();
    // Set the options vis reads when drawing (a DataSet update re-parses every node: slow at 10,000).
    var body = network.body;
    drawnNodes.forEach(function (id) {
      var node = nodeById.get(id);
      if (!node) { return; }
      var base = node.status === "removed" ? 0.45 : 1;
      body.nodes[id].options.opacity = keep === null || keep.has(id) ? base : 0.15;
    });
    drawnEdges.forEach(function (id) {
      var edge = edgeById.get(id);
      if (!edge) { return; }
      var on = keep === null || (keep.has(edge.from) && keep.has(edge.to));
      body.edges[id].options.color = Object.assign({}, body.edges[id].options.color, { opacity: on ? 0.95 : 0.08 });
    });
    network.redraw();
    api.dimmed = keep !== null;
  }

  // ---------------------------------------------------------------------------------------------
  // The mapping view (SVG) and the matrix view (a table), drawn from the layout Python computed.

  var mappingArea = document.getElementById("cp-mapping");
  var matrixArea = document.getElementById("cp-matrix");
  var pairSelect = document.getElementById("cp-pair");
  var mappings = data.mappings || [];
  var current = { view: "graph", drawing: null, shown: null, open: false, list: false, scale: 1, svg: null, boxes: new Map(), edgeEls: [] };
  var narrowQuery = window.matchMedia("(max-width: 700px)");
  // Below 700 px the mapping is a stacked list and the matrix a list by workstream: two columns of boxes do not fit.
  function isNarrow() { return narrowQuery.matches; }
  api.view = "graph";

  // A variant's links carry only their geometry: the rest (quotes, notes, sources) is the wide drawing's, same order.
  mappings.forEach(function (drawing) {
    Object.keys(drawing.variants || {}).forEach(function (key) {
      drawing.variants[key].edges = drawing.variants[key].edges.map(function (edge, index) {
        var whole = Object.assign({}, drawing.edges[index], edge);
        whole.points = pathPoints(edge.d, whole.forward);
        return whole;
      });
    });
  });

  // The 17 points along a link's cubic path "M x0,y0 C x1,y1 x2,y2 x3,y3", from its source end (as mapping.py samples).
  function pathPoints(d, forward) {
    var c = String(d).match(/-?[\d.]+/g).map(Number), points = [];
    for (var step = 0; step <= 16; step++) {
      var t = step / 16, u = 1 - t;
      var a = u * u * u, b = 3 * u * u * t, e = 3 * u * t * t, f = t * t * t;
      points.push([Math.round((a * c[0] + b * c[2] + e * c[4] + f * c[6]) * 10) / 10,
                   Math.round((a * c[1] + b * c[3] + e * c[5] + f * c[7]) * 10) / 10]);
    }
    return forward ? points : points.reverse();
  }

  function findDrawing(from, to) {
    for (var i = 0; i < mappings.length; i++) { if (mappings[i].from === from && mappings[i].to === to) { return mappings[i]; } }
    return null;
  }

  mappings.forEach(function (drawing, index) {
    pairSelect.appendChild(el("option", { text: drawing.from + " → " + drawing.to, attributes: { value: String(index) } }));
  });
  pairSelect.addEventListener("change", function () {
    var drawing = mappings[parseInt(pairSelect.value, 10)];
    if (drawing) { show(current.view === "matrix" ? "matrix" : "mapping", { from: drawing.from, to: drawing.to }); }
  });
  document.getElementById("cp-swap").addEventListener("click", function () {
    if (current.drawing) { show(current.view === "matrix" ? "matrix" : "mapping", { from: current.drawing.to, to: current.drawing.from }); }
  });
  document.querySelectorAll("#cp-views button[data-view]").forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-view"), {}); });
    if (button.getAttribute("data-view") === "plans") { button.hidden = !data.overview; return; }
    if (button.getAttribute("data-view") !== "graph" && !mappings.length) {
      button.disabled = true;
      button.title = "This file holds no pair of linked plans";
    }
  });

  function boxFill(box) { return [box.fill, box.stroke, box.ink]; }

  // The drawing that fits the area's width at 12 px text: the wide one, else the narrow one; folded or opened.
  function chooseDrawing(drawing, width) {
    var variants = drawing.variants || {};
    var wide = current.open && variants.open ? variants.open : drawing;
    var compact = current.open && variants.compactOpen ? variants.compactOpen : variants.compact;
    if (!compact || width >= wide.width * 12 / wide.fontPx) { return wide; }
    return compact;
  }

  function drawMapping(base) {
    clear(mappingArea);
    current.list = isNarrow();
    if (current.list) { drawMappingList(base); return; }
    var areaWidth = mappingArea.clientWidth - 4, areaHeight = mappingArea.clientHeight - 4;
    var drawing = chooseDrawing(base, areaWidth);
    current.shown = drawing;
    current.size = [mappingArea.clientWidth, mappingArea.clientHeight];
    // Fit the area's width and height, but never below 12 px text: taller mappings scroll.
    var scale = Math.min(1.25, areaWidth / drawing.width, areaHeight / drawing.height);
    scale = Math.max(scale, 12 / drawing.fontPx);
    current.scale = scale;
    var root = svg("svg", { width: Math.ceil(drawing.width * scale), height: Math.ceil(drawing.height * scale),
                            viewBox: "0 0 " + drawing.width + " " + drawing.height, id: "cp-mapping-svg",
                            "font-family": fontFace, role: "img", "aria-label": "How " + drawing.fromTitle + " maps onto " + drawing.toTitle });
    var defs = svg("defs");
    Object.keys(style.relations).forEach(function (relation) {
      // One head per target (the lines into a box merge at one port), 9 px whatever the line's width.
      var marker = svg("marker", { id: "cp-arrow-" + relation, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 9, markerHeight: 9,
                                   markerUnits: "userSpaceOnUse", orient: "auto-start-reverse" });
      marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: style.relations[relation].color }));
      defs.appendChild(marker);
    });
    root.appendChild(defs);
    drawing.groups.forEach(function (group) {
      root.appendChild(svg("rect", { x: group.x, y: group.y, width: group.width, height: group.height, rx: 6,
                                     fill: group.id === "unmapped" ? "#fef3c7" : "#f0f7f4", "data-group": group.id }));
    });
    drawing.headings.forEach(function (heading) {
      var text = svg("text", { x: heading.x, y: heading.y, "font-size": heading.px, "font-weight": heading.bold ? "bold" : "normal",
                               fill: heading.finding ? "#92400e" : (heading.bold ? "#111827" : "#4b5563") });
      text.textContent = heading.text;
      root.appendChild(text);
    });
    (drawing.legend || []).forEach(function (entry) {
      if (entry.kind === "box") {
        root.appendChild(svg("rect", { x: entry.x, y: entry.y - 11, width: 16, height: 12, rx: 2, fill: entry.fill, stroke: entry.stroke,
                                       "stroke-width": 1.5 }));
      }
      if (entry.kind === "relation" || entry.kind === "basis") {
        var line = svg("line", { x1: entry.x, y1: entry.y - 4, x2: entry.x + 32, y2: entry.y - 4, "stroke-width": 2.2,
                                 stroke: entry.kind === "relation" ? (style.relations[entry.relation] || {}).color || "#6b7280" : "#374151" });
        var dashes = entry.kind === "basis" ? (style.bases[entry.basis] || {}).dashes : null;
        if (dashes) { line.setAttribute("stroke-dasharray", dashes.join(" ")); }
        root.appendChild(line);
      }
      var label = svg("text", { x: entry.textX, y: entry.y, "font-size": 13, fill: "#1f2937" });
      label.textContent = entry.text;
      root.appendChild(label);
    });
    var edgeLayer = svg("g", { "class": "cp-edges" });
    var labelLayer = svg("g", { "class": "cp-edge-labels" });
    current.edgeEls = drawing.edges.map(function (edge, index) {
      var relationStyle = style.relations[edge.relation] || { color: "#6b7280", width: 2 };
      var dashes = (style.bases[edge.basis] || {}).dashes;
      var path = svg("path", { d: edge.d, fill: "none", stroke: relationStyle.color, "stroke-width": Math.min(relationStyle.width, 2.2),
                               "class": "cp-edge", "data-edge": String(index) });
      if (dashes) { path.setAttribute("stroke-dasharray", dashes.join(" ")); }
      path.setAttribute(edge.forward ? "marker-end" : "marker-start", "url(#cp-arrow-" + edge.relation + ")");
      // A wide transparent twin makes the thin line easy to point at.
      var hit = svg("path", { d: edge.d, fill: "none", stroke: "transparent", "stroke-width": 10, "class": "cp-edge-hit" });
      hit.addEventListener("mousemove", function (event) {
        showTooltip([edge.caption, nodeName(nodeById.get(edge.from) || { id: edge.from }) + " → " + nodeName(nodeById.get(edge.to) || { id: edge.to }),
                     edge.quote ? "“" + shorten(edge.quote, 240) + "”" : null], pointerIn(event));
      });
      hit.addEventListener("mouseleave", hideTooltip);
      hit.addEventListener("click", function (event) { event.stopPropagation(); selectMappingEdge(index); });
      edgeLayer.appendChild(path);
      edgeLayer.appendChild(hit);
      return path;
    });
    root.appendChild(edgeLayer);
    current.boxes = new Map();
    drawing.boxes.forEach(function (box) {
      var colours = boxFill(box);
      var group = svg("g", { "class": "cp-box", "data-node": box.id, tabindex: 0 });
      group.appendChild(svg("rect", { x: box.x, y: box.y, width: box.width, height: box.height, rx: 4, fill: colours[0],
                                      stroke: colours[1], "stroke-width": box.linked ? 1.5 : 1 }));
      box.lines.forEach(function (line, index) {
        var text = svg("text", { x: box.x + 8, y: box.y + box.padY + 16 * index + 12, "font-size": box.fontPx, fill: colours[2],
                                 "font-weight": box.kind === "workstream" ? "bold" : "normal" });
        text.textContent = line;
        group.appendChild(text);
      });
      if (box.folded) { group.setAttribute("aria-expanded", "false"); group.setAttribute("data-folded", String(box.folded.length)); }
      group.addEventListener("click", function (event) {
        event.stopPropagation(); hideTooltip();
        if (box.folded) { openFolded(box.id); return; }
        select(box.id, { animate: false });
      });
      group.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); if (box.folded) { openFolded(box.id); } else { select(box.id, { animate: false }); } }
      });
      group.addEventListener("mousemove", function (event) {
        var node = nodeById.get(box.id) || { id: box.id };
        var links = drawing.edges.filter(function (edge) { return edge.left === box.id || edge.right === box.id; });
        showTooltip([box.id, nodeName(node), node.text && node.text !== nodeName(node) ? shorten(node.text, 240) : null,
                     links.length ? links.map(function (edge) {
                       var other = edge.left === box.id ? edge.right : edge.left;
                       return edge.caption + " → " + other;
                     }).join("\n") : (box.folded ? "No link to the other plan: click to list its " + plural(box.folded.length, "item") :
                                       "No link to the other plan")], pointerIn(event));
      });
      group.addEventListener("mouseleave", hideTooltip);
      root.appendChild(group);
      current.boxes.set(box.id, group);
    });
    root.appendChild(labelLayer);
    root.addEventListener("click", function () { clearSelection(); });
    mappingArea.appendChild(root);
    current.svg = root;
    current.labels = labelLayer;
    markMatches();
  }

  // Unfold the workstreams with no link (all of them: one drawing), keep the view and select the one clicked.
  function openFolded(id) {
    current.open = true;
    drawMapping(current.drawing);
    if (current.boxes.has(id)) { select(id, { animate: false }); }
  }
  api.openFolded = openFolded;

  // The mapping as a stacked list: each source item with its targets under it, then the items with no link.
  function drawMappingList(drawing) {
    current.shown = drawing.variants && drawing.variants.open ? drawing.variants.open : drawing;
    current.svg = null;
    current.boxes = new Map();
    current.edgeEls = [];
    var shown = current.shown;
    var boxById = new Map(shown.boxes.map(function (box) { return [box.id, box]; }));
    var host = el("div", { className: "cp-list" });
    host.appendChild(el("h2", { text: drawing.fromTitle + " → " + drawing.toTitle }));
    host.appendChild(el("p", { text: drawing.mapped.length + " of " + (drawing.mapped.length + drawing.unmapped.length) +
                               " items link to " + drawing.toTitle + "; each is listed with what it links to." }));
    function register(id, element) {
      element.setAttribute("data-node", id);
      element.setAttribute("tabindex", "0");
      element.addEventListener("click", function (event) { event.stopPropagation(); select(id, { animate: false }); });
      element.addEventListener("keydown", function (event) { if (event.key === "Enter") { select(id, { animate: false }); } });
      if (!current.boxes.has(id)) { current.boxes.set(id, element); }
      return element;
    }
    var list = el("ol", { attributes: { "aria-label": "Linked items" } });
    drawing.mapped.forEach(function (id) {
      var node = nodeById.get(id) || { id: id };
      var item = el("li", { className: "cp-list-item" });
      item.appendChild(register(id, el("span", { className: "cp-list-source", text: itemLabel(id, node, boxById.get(id)) })));
      var targets = el("ul");
      shown.edges.forEach(function (edge) {
        if (edge.left !== id) { return; }
        var target = nodeById.get(edge.right) || { id: edge.right };
        var box = boxById.get(edge.right);
        var where = box && box.kind !== "workstream" && target.workstream && nodeById.has(target.workstream) ?
          nodeName(nodeById.get(target.workstream)) + " › " : "";
        var row = register(edge.right, el("li", { className: "cp-list-target" },
                                            el("span", { className: "cp-list-how", text: (edge.forward ? "→ " : "← ") + edge.caption }),
                                            where + itemLabel(edge.right, target, box)));
        row.setAttribute("data-edge", edge.id || "");
        targets.appendChild(row);
      });
      item.appendChild(targets);
      list.appendChild(item);
    });
    host.appendChild(list);
    if (drawing.unmapped.length) {
      host.appendChild(el("h3", { text: "Not linked to " + drawing.toTitle + " (" + drawing.unmapped.length + ")" }));
      var apart = el("ol", { attributes: { "aria-label": "Items with no link" } });
      drawing.unmapped.forEach(function (id) {
        var item = el("li", { className: "cp-list-item cp-unlinked" });
        item.appendChild(register(id, el("span", { className: "cp-list-source", text: itemLabel(id, nodeById.get(id) || { id: id }, boxById.get(id)) })));
        apart.appendChild(item);
      });
      host.appendChild(apart);
    }
    var folded = Object.keys(drawing.folded || {});
    if (folded.length) {
      host.appendChild(el("h3", { text: "Workstreams of " + drawing.toTitle + " with no link (" + folded.length + ")" }));
      var foldedList = el("ul");
      folded.forEach(function (id) {
        foldedList.appendChild(register(id, el("li", { className: "cp-list-folded",
          text: nodeName(nodeById.get(id) || { id: id }) + " — no link, " + plural(drawing.folded[id].length, "item") })));
      });
      host.appendChild(foldedList);
    }
    host.addEventListener("click", function () { clearSelection(); });
    mappingArea.appendChild(host);
    markMatches();
  }

  function itemLabel(id, node, box) {
    var text = node.text || node.title || node.name || node.label || id;
    var local = box && box.tag ? box.tag : String(id).split("/").pop();
    return (node.type === "workstream" ? "Workstream: " : local + " · ") + String(text).replace(/\s+/g, " ");
  }

  // Search matches are outlined where they are drawn, in the current view.
  function markMatches() {
    var ids = current.matches || null;
    var area = current.view === "matrix" ? matrixArea : mappingArea;
    area.querySelectorAll(".cp-match").forEach(function (element) { element.classList.remove("cp-match"); });
    if (!ids) { return; }
    area.querySelectorAll("[data-node]").forEach(function (element) {
      if (ids.has(element.getAttribute("data-node"))) { element.classList.add("cp-match"); }
    });
  }

  function pointerIn(event) {
    var box = container.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  // Highlight some boxes and edges (indices), dim the rest, and write the highlighted edges' relation and basis on them.
  function highlightMapping(ids, edgeIndices) {
    if (current.list) {
      mappingArea.querySelectorAll(".cp-on").forEach(function (element) { element.classList.remove("cp-on"); });
      if (ids) {
        mappingArea.querySelectorAll("[data-node]").forEach(function (element) {
          if (ids.has(element.getAttribute("data-node"))) { element.classList.add("cp-on"); }
        });
      }
      return;
    }
    if (!current.svg) { return; }
    var on = ids !== null;
    current.svg.classList.toggle("cp-dim", on);
    current.boxes.forEach(function (group, id) { group.classList.toggle("cp-on", on && ids.has(id)); });
    current.edgeEls.forEach(function (path, index) { path.classList.toggle("cp-on", on && edgeIndices.has(index)); });
    clear(current.labels);
    if (!on) { return; }
    edgeIndices.forEach(function (index) {
      var edge = current.shown.edges[index];
      var point = edge.points[edge.forward ? 11 : 5];
      var text = svg("text", { x: point[0], y: point[1] - 4, "font-size": 12, "text-anchor": "middle", fill: "#111827",
                               "class": "cp-edge-label", stroke: "#ffffff", "stroke-width": 4, "paint-order": "stroke" });
      text.textContent = edge.caption;
      current.labels.appendChild(text);
    });
  }

  function selectMappingEdge(index) {
    var edge = current.shown.edges[index];
    openDrawer();
    highlightMapping(new Set([edge.left, edge.right]), new Set([index]));
    state.selected = null;
    clear(panel);
    panel.appendChild(el("h2", { text: edge.caption }));
    panel.appendChild(el("p", {}, nodeButton(edge.from), " → ", nodeButton(edge.to)));
    panel.appendChild(linkCard(edge, edge.from));
    keepInView([edge.left, edge.right]);
  }

  // Scroll the drawing so that these boxes are in view (the panel is beside the drawing, never over it).
  function keepInView(ids) {
    var area = current.view === "matrix" ? matrixArea : mappingArea;
    var areaBox = area.getBoundingClientRect();
    var top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
    ids.forEach(function (id) {
      var element = current.view === "matrix" ? matrixArea.querySelector("[data-node=\"" + cssEscape(id) + "\"]") : current.boxes.get(id);
      if (!element) { return; }
      var box = element.getBoundingClientRect();
      top = Math.min(top, box.top); bottom = Math.max(bottom, box.bottom); left = Math.min(left, box.left); right = Math.max(right, box.right);
    });
    if (!isFinite(top)) { return; }
    if (bottom > areaBox.bottom || top < areaBox.top) {
      var shift = bottom - areaBox.bottom + 8;
      if (top - shift < areaBox.top || top < areaBox.top) { shift = top - areaBox.top - 8; }
      area.scrollTop += shift;
    }
    if (right > areaBox.right || left < areaBox.left) {
      var shiftX = right - areaBox.right + 8;
      if (left - shiftX < areaBox.left) { shiftX = left - areaBox.left - 8; }
      area.scrollLeft += shiftX;
    }
  }

  function cssEscape(text) { return String(text).replace(/["\\]/g, "\\$&"); }

  function drawMatrix(drawing) {
    clear(matrixArea);
    if (isNarrow()) { drawMatrixList(drawing); return; }
    var columnsOut = drawing.groups.filter(function (group) { return group.id !== "unmapped"; });
    var looseTargets = drawing.boxes.filter(function (box) { return box.kind === "target" && !box.group; });
    if (looseTargets.length) { columnsOut = [{ id: "", title: "No workstream", members: looseTargets.map(function (b) { return b.id; }) }].concat(columnsOut); }
    var boxById = new Map(drawing.boxes.map(function (box) { return [box.id, box]; }));
    var rowsOut = drawing.mapped.concat(drawing.unmapped);
    var table = el("table", { className: "cp-matrix-table" });
    var caption = el("caption", { text: "Links from " + drawing.fromTitle + " (rows) to " + drawing.toTitle + " by workstream (columns)" });
    table.appendChild(caption);
    var head = el("tr", {}, el("th", { text: "Item", attributes: { scope: "col" } }));
    var columnCounts = columnsOut.map(function () { return 0; });
    columnsOut.forEach(function (column) {
      var columnHead = el("th", { text: column.title, attributes: { scope: "col", "data-node": column.id || "no-workstream" } });
      if (column.id) { columnHead.addEventListener("click", function () { select(column.id, { animate: false }); }); }
      head.appendChild(columnHead);
    });
    head.appendChild(el("th", { text: "Links", attributes: { scope: "col" } }));
    table.appendChild(el("thead", {}, head));
    var bodyEl = el("tbody");
    rowsOut.forEach(function (id) {
      var box = boxById.get(id);
      var row = el("tr", { attributes: { "data-row": id } });
      var header = el("th", { text: box.lines.join(" "), attributes: { scope: "row", "data-node": id } });
      header.addEventListener("click", function () { select(id, { animate: false }); });
      row.appendChild(header);
      var total = 0;
      columnsOut.forEach(function (column, index) {
        var members = new Set(column.members);
        var here = drawing.edges.filter(function (edge) { return edge.left === id && members.has(edge.right); });
        var cell = el("td", { attributes: { "data-node": id + "|" + (column.id || "no-workstream") } });
        here.forEach(function (edge) {
          var target = boxById.get(edge.right);
          var what = target.kind === "workstream" ? "the workstream" : target.tag;
          cell.appendChild(el("div", { className: "cp-cell-link", text: what + ": " + edge.caption, title: edge.quote || "" }));
        });
        if (here.length) { cell.className = "cp-filled"; }
        total += here.length;
        columnCounts[index] += here.length;
        row.appendChild(cell);
      });
      row.appendChild(el("td", { className: "cp-count", text: String(total) }));
      bodyEl.appendChild(row);
    });
    table.appendChild(bodyEl);
    var foot = el("tr", {}, el("th", { text: "Links", attributes: { scope: "row" } }));
    columnCounts.forEach(function (count) { foot.appendChild(el("td", { className: "cp-count", text: String(count) })); });
    foot.appendChild(el("td", { className: "cp-count", text: String(drawing.edges.length) }));
    table.appendChild(el("tfoot", {}, foot));
    matrixArea.appendChild(table);
  }

  // The matrix on a phone: one section per workstream, listing the items linked to it.
  function drawMatrixList(drawing) {
    var host = el("div", { className: "cp-list" });
    host.appendChild(el("h2", { text: drawing.toTitle + ": what links to each workstream" }));
    var shown = drawing.variants && drawing.variants.open ? drawing.variants.open : drawing;
    var boxById = new Map(shown.boxes.map(function (box) { return [box.id, box]; }));
    function register(id, element) {
      element.setAttribute("data-node", id);
      element.addEventListener("click", function (event) { event.stopPropagation(); select(id, { animate: false }); });
      return element;
    }
    var sections = shown.groups.filter(function (group) { return group.id !== "unmapped"; });
    var loose = shown.boxes.filter(function (box) { return box.kind === "target" && !box.group; });
    if (loose.length) { sections = [{ id: "", title: "No workstream", members: loose.map(function (b) { return b.id; }) }].concat(sections); }
    sections.forEach(function (section) {
      var members = new Set(section.members);
      var here = shown.edges.filter(function (edge) { return members.has(edge.right); });
      var heading = el("h3", { text: section.title + " · " + plural(here.length, "link") });
      heading.style.color = "#1f2937";
      host.appendChild(section.id ? register(section.id, heading) : heading);
      if (!here.length) { host.appendChild(el("p", { text: "No item links here (" + plural(section.members.length - (section.id ? 1 : 0), "item") + ")." })); return; }
      var list = el("ul");
      here.forEach(function (edge) {
        var target = boxById.get(edge.right);
        var what = target && target.kind === "workstream" ? "the workstream" : (target ? target.tag : edge.right);
        list.appendChild(register(edge.left, el("li", { className: "cp-list-target" },
          el("span", { className: "cp-list-how", text: edge.caption + " → " + what }),
          itemLabel(edge.left, nodeById.get(edge.left) || { id: edge.left }, boxById.get(edge.left)))));
      });
      host.appendChild(list);
    });
    matrixArea.appendChild(host);
  }

  function subtitleOf(drawing) {
    var mapped = drawing.mapped.length, unmapped = drawing.unmapped.length;
    return plural(drawing.edges.length, "link") + " · " + mapped + " of " + (mapped + unmapped) + " items linked, " +
      unmapped + " with no link (listed apart) · " + drawing.crossings.drawn + " line crossings (" +
      drawing.crossings.documentOrder + " in document order)";
  }

  // ---------------------------------------------------------------------------------------------
  // The plans overview: a row per plan, an arc per linked pair, the plan × plan squares beside.

  var plansArea = document.getElementById("cp-plans");
  var overview = data.overview;
  var overviewState = { svg: null, rows: new Map(), arcs: [] };

  function pairDrawing(a, b) {
    return findDrawing(a, b) || findDrawing(b, a);
  }

  // A pair: its mapping when the file carries it, else the full graph cut to the two plans.
  function openPair(a, b) {
    var drawing = pairDrawing(a, b);
    if (drawing) { show("mapping", { from: drawing.from, to: drawing.to }); return; }
    showPlans([a, b]);
  }

  // A plan (or plans): the full graph cut to them, laid out by workstream.
  function showPlans(ids) {
    var keep = new Set(ids);
    state.checked.plan = new Set(options.plan.map(function (option) { return option.value; }).filter(function (id) { return keep.has(id); }));
    document.querySelectorAll("#cp-filters input[data-facet=plan]").forEach(function (input) { input.checked = keep.has(input.value); });
    show("graph", {});
    applyFilters();
    fitVisible(false);
  }
  api.openPair = openPair;

  function describePair(arc) {
    var parts = Object.keys(arc.counts).filter(function (cls) { return arc.counts[cls]; }).map(function (cls) {
      return arc.counts[cls] + " " + cls;
    });
    return plural(arc.total, "link") + " (" + parts.join(", ") + ")";
  }

  function drawOverview() {
    clear(plansArea);
    var drawing = overview;
    var root = svg("svg", { width: drawing.width, height: drawing.height, viewBox: "0 0 " + drawing.width + " " + drawing.height,
                            id: "cp-plans-svg", "font-family": fontFace, role: "img", "aria-label": "Plans and the links between them" });
    drawing.headings.forEach(function (heading) {
      var text = svg("text", { x: heading.x, y: heading.y, "font-size": heading.px, "font-weight": heading.bold ? "bold" : "normal",
                               fill: heading.bold ? "#111827" : "#374151" });
      text.textContent = heading.text;
      root.appendChild(text);
    });
    var x = 10;
    [{ text: "Arcs:" }].concat(drawing.legend).forEach(function (entry) {
      if (entry.colour) {
        root.appendChild(svg("line", { x1: x, y1: drawing.legendY - 4, x2: x + 26, y2: drawing.legendY - 4, stroke: entry.colour, "stroke-width": 3 }));
        x += 32;
      }
      var label = svg("text", { x: x, y: drawing.legendY, "font-size": 12, fill: "#1f2937" });
      label.textContent = entry.text;
      root.appendChild(label);
      x += entry.text.length * 7 + 16;
    });
    drawing.columns.forEach(function (column) {
      var number = svg("text", { x: column.x, y: drawing.rows.length ? drawing.rows[0].y - 6 : 0, "font-size": 12, "text-anchor": "middle", fill: "#374151" });
      number.textContent = String(column.number);
      var title = svg("title");
      title.textContent = column.id;
      number.appendChild(title);
      root.appendChild(number);
    });
    overviewState.arcs = [];
    var arcLayer = svg("g", { "class": "cp-arcs" });
    drawing.arcs.forEach(function (arc, index) {
      var path = svg("path", { d: arc.d, fill: "none", stroke: arc.colour, "stroke-width": arc.width, "class": "cp-arc", "data-pair": arc.a + "|" + arc.b });
      var hit = svg("path", { d: arc.d, fill: "none", stroke: "transparent", "stroke-width": 9, "class": "cp-arc-hit" });
      hit.addEventListener("mousemove", function (event) {
        showTooltip([planLabel(arc.a) + " ↔ " + planLabel(arc.b), describePair(arc),
                     pairDrawing(arc.a, arc.b) ? "Click for the mapping" : "Click for both plans in the full graph"], pointerIn(event));
      });
      hit.addEventListener("mouseleave", hideTooltip);
      hit.addEventListener("click", function (event) { event.stopPropagation(); hideTooltip(); openPair(arc.a, arc.b); });
      arcLayer.appendChild(path);
      arcLayer.appendChild(hit);
      overviewState.arcs.push(path);
    });
    root.appendChild(arcLayer);
    drawing.cells.forEach(function (cell) {
      var square = svg("rect", { x: cell.x, y: cell.y, width: cell.size, height: cell.size, rx: 3, fill: cell.colour,
                                 "fill-opacity": cell.opacity, "class": "cp-cell", "data-pair": cell.row + "|" + cell.column });
      square.addEventListener("mousemove", function (event) {
        showTooltip([planLabel(cell.row) + " × " + planLabel(cell.column), describePair(cell)], pointerIn(event));
      });
      square.addEventListener("mouseleave", hideTooltip);
      square.addEventListener("click", function () { hideTooltip(); openPair(cell.row, cell.column); });
      root.appendChild(square);
    });
    overviewState.rows = new Map();
    drawing.rows.forEach(function (row) {
      var group = svg("g", { "class": "cp-plan-row", "data-node": row.id, tabindex: 0 });
      var number = svg("text", { x: row.x - 6, y: row.y + 15, "font-size": 12, "text-anchor": "end", fill: "#4b5563" });
      number.textContent = String(row.number);
      group.appendChild(number);
      group.appendChild(svg("rect", { x: row.x, y: row.y, width: row.width, height: row.height, rx: 3, fill: "#f3f4f6",
                                      stroke: "#9ca3af", "class": "cp-plan-box" }));
      group.appendChild(svg("rect", { x: row.x + row.width - 60, y: row.y + 5, width: Math.max(2, row.bar), height: row.height - 10,
                                      fill: "#1f2937", "fill-opacity": 0.55 }));
      var label = svg("text", { x: row.x + 6, y: row.y + 15, "font-size": row.fontPx, fill: "#111827" });
      label.textContent = row.label;
      group.appendChild(label);
      var title = svg("title");
      title.textContent = row.title + " (" + row.id + "): " + plural(row.items, "item");
      group.appendChild(title);
      group.addEventListener("click", function () { showPlans([row.id]); });
      group.addEventListener("keydown", function (event) { if (event.key === "Enter") { showPlans([row.id]); } });
      group.addEventListener("mouseenter", function () { highlightPlan(row.id); });
      group.addEventListener("mouseleave", function () { highlightPlan(null); });
      root.appendChild(group);
      overviewState.rows.set(row.id, group);
    });
    plansArea.appendChild(root);
    overviewState.svg = root;
  }

  function planLabel(id) {
    var row = overview.rows.filter(function (candidate) { return candidate.id === id; })[0];
    return row ? row.label : id;
  }

  function highlightPlan(id) {
    if (!overviewState.svg) { return; }
    overviewState.svg.classList.toggle("cp-dim", id !== null);
    overviewState.arcs.forEach(function (path) {
      var ends = path.getAttribute("data-pair").split("|");
      path.classList.toggle("cp-on", id !== null && (ends[0] === id || ends[1] === id));
    });
  }

  function show(view, showOptions) {
    showOptions = showOptions || {};
    if ((view === "mapping" || view === "matrix") && !mappings.length) { view = "graph"; }
    if (view === "plans" && !overview) { view = "graph"; }
    if (view !== "mapping" && view !== "matrix" && view !== "graph" && view !== "plans") { return false; }
    hideTooltip();
    if (view === "mapping" || view === "matrix") {
      var drawing = (showOptions.from && showOptions.to) ? findDrawing(showOptions.from, showOptions.to) : (current.drawing || mappings[0]);
      if (!drawing) { return false; }
      if (drawing !== current.drawing) { current.open = false; }
      current.drawing = drawing;
      pairSelect.value = String(mappings.indexOf(drawing));
    }
    current.view = view;
    api.view = view;
    document.body.setAttribute("data-view", view);
    document.querySelectorAll("#cp-views button[data-view]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-view") === view ? "true" : "false");
    });
    mappingArea.hidden = view !== "mapping";
    matrixArea.hidden = view !== "matrix";
    plansArea.hidden = view !== "plans";
    // The answer in words, whole, above the drawing (and the table).
    var headline = document.getElementById("cp-headline");
    headline.textContent = (view === "mapping" || view === "matrix") && current.drawing.headline ? current.drawing.headline : "";
    headline.hidden = !headline.textContent;
    container.style.visibility = view === "graph" ? "visible" : "hidden";
    if (view === "plans") {
      if (!overviewState.svg) { drawOverview(); }
      setHeading("Plans and the links between them", plural(overview.rows.length, "plan") + " · " + plural(overview.arcs.length, "linked pair") +
                 " · " + plural(overview.links, "link") + " · click an arc or a square for that pair, a plan for its workstreams");
    } else if (view === "mapping") {
      drawMapping(current.drawing);
      setHeading("How " + (current.drawing.fromShort || current.drawing.fromTitle) + " maps onto " +
                 (current.drawing.toShort || current.drawing.toTitle), subtitleOf(current.drawing));
    } else if (view === "matrix") {
      drawMatrix(current.drawing);
      setHeading("Matrix: " + current.drawing.fromTitle + " × " + current.drawing.toTitle, subtitleOf(current.drawing));
    } else {
      setHeading(data.title, data.subtitle);
      layoutGraphOnce();
      network.setSize("100%", "100%");
      network.redraw();
      fitVisible(false);
      // The header and sidebar settle after this frame; vis then rescales with the canvas: fit again if so.
      var size = [container.clientWidth, container.clientHeight];
      window.requestAnimationFrame(function () {
        if (current.view === "graph" && !state.selected && (container.clientWidth !== size[0] || container.clientHeight !== size[1])) {
          network.setSize("100%", "100%");
          fitVisible(false);
        }
      });
    }
    // Keep the selection where the new view draws it; never let it switch the view again.
    var kept = state.selected;
    if (kept && (view === "graph" || (view === "mapping" && current.boxes.has(kept)) ||
                 (view === "matrix" && matrixArea.querySelector("[data-node=\"" + cssEscape(kept) + "\"]")))) {
      select(kept, { animate: false });
    }
    updateStatus();
    return true;
  }
  api.show = show;

  function setHeading(title, subtitle) {
    document.getElementById("cp-title").textContent = title;
    document.getElementById("cp-title").title = title;  // the heading is cut to one line: the whole on hover
    document.getElementById("cp-subtitle").textContent = subtitle;
    document.getElementById("cp-subtitle").title = subtitle;
  }

  // ---------------------------------------------------------------------------------------------
  // Geometry, for tests: CSS pixels relative to the drawing area.

  function rectIn(areaBox, box) {
    return { x: box.left - areaBox.left, y: box.top - areaBox.top, width: box.width, height: box.height };
  }

  function borderPoint(box, toward) {
    var cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    var dx = toward[0] - cx, dy = toward[1] - cy;
    if (!dx && !dy) { return [cx, cy]; }
    var sx = dx ? (box.width / 2) / Math.abs(dx) : Infinity, sy = dy ? (box.height / 2) / Math.abs(dy) : Infinity;
    var s = Math.min(sx, sy);
    return [cx + dx * s, cy + dy * s];
  }

  api.geometry = function () {
    var out = { view: current.view, nodes: [], edges: [], groups: [] };
    var drawer = panelBox.hidden ? null : panelBox.getBoundingClientRect();
    // The drawer lies beside the drawing area, never over it: viewport is the drawing's area alone.
    out.drawer = drawer ? { open: true, x: drawer.left, y: drawer.top, width: drawer.width, height: drawer.height } : { open: false };
    if (current.view === "plans") {
      var plansBox = plansArea.getBoundingClientRect();
      out.viewport = { width: plansArea.clientWidth, height: plansArea.clientHeight };
      out.layout = "plans";
      var svgRect = overviewState.svg.getBoundingClientRect();
      var px = svgRect.left - plansBox.left, py = svgRect.top - plansBox.top;
      overview.rows.forEach(function (row) {
        out.nodes.push({ id: row.id, type: "plan", x: px + row.x, y: py + row.y, width: row.width, height: row.height, fontPx: row.fontPx,
                         label: row.label });
      });
      overview.arcs.forEach(function (arc) {
        out.edges.push({ from: arc.a, to: arc.b, total: arc.total, counts: arc.counts,
                         points: arc.points.map(function (p) { return [px + p[0], py + p[1]]; }) });
      });
      overview.cells.forEach(function (cell) {
        out.groups.push({ id: cell.row + "|" + cell.column, kind: "cell", x: px + cell.x, y: py + cell.y, width: cell.size, height: cell.size,
                          members: [cell.row, cell.column] });
      });
      out.scale = 1;
    } else if (current.view === "mapping" && current.list) {
      var listBox = mappingArea.getBoundingClientRect();
      out.viewport = { width: mappingArea.clientWidth, height: mappingArea.clientHeight };
      out.layout = "list";
      var centres = new Map();
      mappingArea.querySelectorAll("[data-node]").forEach(function (element) {
        var r = rectIn(listBox, element.getBoundingClientRect());
        var node = { id: element.getAttribute("data-node"), x: r.x, y: r.y, width: r.width, height: r.height,
                     fontPx: parseFloat(window.getComputedStyle(element).fontSize) };
        out.nodes.push(node);
        if (!centres.has(node.id)) { centres.set(node.id, [r.x, r.y + r.height / 2]); }
      });
      current.shown.edges.forEach(function (edge) {
        if (!centres.has(edge.left) || !centres.has(edge.right)) { return; }
        var a = centres.get(edge.left), b = centres.get(edge.right);
        out.edges.push({ from: edge.from, to: edge.to, relation: edge.relation, basis: edge.basis,
                         points: edge.forward ? [a, b] : [b, a] });
      });
      out.crossings = current.drawing.crossings;
      out.scale = 1;
    } else if (current.view === "mapping") {
      var areaBox = mappingArea.getBoundingClientRect();
      out.viewport = { width: mappingArea.clientWidth, height: mappingArea.clientHeight };
      out.layout = "columns";
      var shown = current.shown;
      out.variant = shown === current.drawing ? "wide" : Object.keys(current.drawing.variants || {}).filter(function (key) {
        return current.drawing.variants[key] === shown;
      })[0];
      var svgBox = current.svg.getBoundingClientRect();
      var s = svgBox.width / shown.width;
      var ox = svgBox.left - areaBox.left, oy = svgBox.top - areaBox.top;
      shown.boxes.forEach(function (box) {
        out.nodes.push({ id: box.id, x: ox + box.x * s, y: oy + box.y * s, width: box.width * s, height: box.height * s,
                         fontPx: box.fontPx * s, folded: box.folded ? box.folded.length : undefined });
      });
      shown.edges.forEach(function (edge) {
        out.edges.push({ from: edge.from, to: edge.to, relation: edge.relation, basis: edge.basis,
                         points: edge.points.map(function (p) { return [ox + p[0] * s, oy + p[1] * s]; }) });
      });
      shown.groups.forEach(function (group) {
        out.groups.push({ id: group.id, x: ox + group.x * s, y: oy + group.y * s, width: group.width * s, height: group.height * s,
                          members: group.members.slice() });
      });
      out.crossings = shown.crossings;
      out.scale = s;
    } else if (current.view === "matrix") {
      var matrixBox = matrixArea.getBoundingClientRect();
      out.viewport = { width: matrixArea.clientWidth, height: matrixArea.clientHeight };
      matrixArea.querySelectorAll("[data-node]").forEach(function (cell) {
        var r = rectIn(matrixBox, cell.getBoundingClientRect());
        out.nodes.push({ id: cell.getAttribute("data-node"), x: r.x, y: r.y, width: r.width, height: r.height,
                         fontPx: parseFloat(window.getComputedStyle(cell).fontSize) });
      });
    } else {
      out.viewport = { width: container.clientWidth, height: container.clientHeight };
      var scale = network.getScale();
      var boxes = new Map();
      network.body.nodeIndices.forEach(function (id) {
        var bb = network.getBoundingBox(id);
        var a = network.canvasToDOM({ x: bb.left, y: bb.top }), b = network.canvasToDOM({ x: bb.right, y: bb.bottom });
        var node = network.body.nodes[id];
        var known = nodeById.get(id);
        var size = known ? (BOX_FONT[known.type] || 12) : 15;
        var box = { id: id, type: known ? known.type : "cluster", x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y,
                    fontPx: size * scale };
        boxes.set(id, box);
        out.nodes.push(box);
      });
      network.body.edgeIndices.forEach(function (id) {
        var edge = network.body.edges[id];
        var from = boxes.get(edge.fromId), to = boxes.get(edge.toId);
        if (!from || !to) { return; }
        var fromCentre = [from.x + from.width / 2, from.y + from.height / 2], toCentre = [to.x + to.width / 2, to.y + to.height / 2];
        // "above": drawn over the boxes (a link between two plans), not under them
        out.edges.push({ from: edge.fromId, to: edge.toId, points: [borderPoint(from, toCentre), borderPoint(to, fromCentre)],
                         above: crossesPlans(edge.fromId, edge.toId) });
      });
      graphLayout.groups.forEach(function (group) {
        var a = network.canvasToDOM({ x: group.x, y: group.y }), b = network.canvasToDOM({ x: group.x + group.width, y: group.y + group.height });
        out.groups.push({ id: group.id, kind: group.kind, x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y,
                          members: group.members.filter(function (id) { return boxes.has(id); }) });
      });
    }
    return out;
  };

  // ---------------------------------------------------------------------------------------------
  // Heading and background drawing

  document.getElementById("cp-title").textContent = data.title;
  document.getElementById("cp-subtitle").textContent = data.subtitle;
  document.title = data.title;

  var planTitle = new Map();
  data.plans.forEach(function (plan) { planTitle.set(plan.id, plan.title); });
  network.on("beforeDrawing", function (ctx) {
    var scale = network.getScale();
    graphLayout.groups.forEach(function (group) {
      ctx.save();
      ctx.fillStyle = group.fill;
      ctx.strokeStyle = group.stroke;
      ctx.lineWidth = 1 / Math.max(scale, 0.05);
      ctx.fillRect(group.x, group.y, group.width, group.height);
      ctx.strokeRect(group.x, group.y, group.width, group.height);
      if (group.caption) {
        ctx.font = "bold " + Math.round(Math.max(14, 13 / scale)) + "px " + fontFace;
        ctx.fillStyle = "#374151";
        ctx.textBaseline = "bottom";
        ctx.fillText(group.caption, group.x + 6, group.y - 4);
      }
      ctx.restore();
    });
  });

  // A link between two plans is what the full graph is for: vis draws every edge under every box, so these are
  // drawn again above the boxes (same colour, width and dash), from border to border, with their arrowhead.
  function crossesPlans(fromId, toId) {
    var a = nodeById.get(fromId), b = nodeById.get(toId);
    return !!(a && b && a.plan && b.plan && !isRegistry(a) && !isRegistry(b) && a.plan !== b.plan);
  }
  function canvasBox(id) {
    var bb = network.getBoundingBox(id);
    return { x: bb.left, y: bb.top, width: bb.right - bb.left, height: bb.bottom - bb.top };
  }
  network.on("afterDrawing", function (ctx) {
    var scale = Math.max(network.getScale(), 0.05);
    network.body.edgeIndices.forEach(function (id) {
      var edge = network.body.edges[id];
      if (!edge || !edge.options || edge.options.hidden || !crossesPlans(edge.fromId, edge.toId)) { return; }
      if (!network.body.nodes[edge.fromId] || !network.body.nodes[edge.toId]) { return; }
      var from = canvasBox(edge.fromId), to = canvasBox(edge.toId);
      var a = borderPoint(from, [to.x + to.width / 2, to.y + to.height / 2]);
      var b = borderPoint(to, [from.x + from.width / 2, from.y + from.height / 2]);
      var colour = edge.options.color && edge.options.color.color ? edge.options.color.color : "#555555";
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = Math.max(edge.options.width || 1, 1.5 / scale);
      var dashes = edge.options.dashes;
      if (Array.isArray(dashes)) { ctx.setLineDash(dashes.map(function (d) { return d / Math.min(scale, 1); })); }
      else if (dashes) { ctx.setLineDash([6 / Math.min(scale, 1), 4 / Math.min(scale, 1)]); }
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke();
      ctx.setLineDash([]);
      var arrows = edge.options.arrows;
      if (arrows && arrows.to && arrows.to.enabled) {
        var angle = Math.atan2(b[1] - a[1], b[0] - a[0]), size = 9 / Math.min(scale, 1);
        ctx.beginPath(); ctx.moveTo(b[0], b[1]);
        ctx.lineTo(b[0] - size * Math.cos(angle - 0.4), b[1] - size * Math.sin(angle - 0.4));
        ctx.lineTo(b[0] - size * Math.cos(angle + 0.4), b[1] - size * Math.sin(angle + 0.4));
        ctx.closePath(); ctx.fill();
      }
      ctx.restore();
    });
  });

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
    // Every node is drawn as a box in its type's colour: so is the swatch.
    var shape = svg("rect", Object.assign({ x: 1, y: 2, width: 16, height: 10, rx: 2 }, fill));
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

    var unlinked = 0;  // the mapping view lists unlinked items itself
    options.linked = unlinked ? [{ value: "unlinked", text: "Show items with no link between the plans", count: unlinked, initiallyOff: true }] : [];
    options.plan = data.plans.map(function (plan) {
      return { value: plan.id, text: plan.title, detail: plan.id, count: planCounts.get(plan.id) || 0 };
    });
    options.type = Object.keys(style.types).map(function (type) {
      return { value: type, text: style.types[type].caption, count: typeCounts.get(type) || 0, swatch: nodeSwatch(type) };
    });
    options.relation = Object.keys(style.relations).map(function (relation) {
      var relationStyle = style.relations[relation];
      var omitted = (data.omitted || []).filter(function (item) { return item.relation === relation; })[0];
      return { value: relation, text: relationStyle.caption, count: relationCounts.get(relation) || 0,
               detail: omitted ? "+" + omitted.count + " not drawn: between updates of one item" : null,
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
    nodeList.forEach(function (node) {
      var hidden = !visible.nodes.has(node.id);
      if (hidden !== hiddenNodes.has(node.id)) {
        if (hidden) { hiddenNodes.add(node.id); } else { hiddenNodes.delete(node.id); }
      }
    });
    edgeList.forEach(function (edge) {
      var hidden = !visible.edges.has(edge.id);
      if (hidden !== hiddenEdges.has(edge.id)) {
        if (hidden) { hiddenEdges.add(edge.id); } else { hiddenEdges.delete(edge.id); }
      }
    });
    lastVisible = visible;
    if (api.ready && graphLaidOut) { layoutGraph(); if (api.view === "graph") { fitVisible(false); } }
    if (state.selected && hiddenNodes.has(state.selected)) { network.unselectAll(); }
    updateStatus();
  }

  function updateStatus() {
    if (!lastVisible) { return; }
    if (current.view === "plans") {
      document.getElementById("cp-status").textContent = "Plans overview: " + plural(overview.rows.length, "plan") + ", " +
        plural(overview.arcs.length, "linked pair") + " · arcs and squares open a pair's mapping (or both plans in the full graph)";
      return;
    }
    if ((current.view === "mapping" || current.view === "matrix") && current.drawing) {
      document.getElementById("cp-status").textContent = (current.view === "mapping" ? "Mapping" : "Matrix") + " of " +
        current.drawing.from + " onto " + current.drawing.to + ": " + subtitleOf(current.drawing) +
        " · click an item for its links and quotes; the full graph is under Full graph";
      return;
    }
    var text = "Showing " + lastVisible.nodes.size + " of " + plural(nodeList.length, "node") + " · " +
      lastVisible.edges.size + " of " + plural(edgeList.length, "link");
    // Say what is hidden and why.
    var byRelation = 0, byBasis = 0, byEnds = 0;
    edgeList.forEach(function (edge) {
      if (lastVisible.edges.has(edge.id)) { return; }
      if (state.checked.relation && !state.checked.relation.has(edge.relation)) { byRelation++; }
      else if (state.checked.basis && !state.checked.basis.has(edge.basis)) { byBasis++; }
      else { byEnds++; }
    });
    var why = [];
    if (byRelation) { why.push(byRelation + " by the relation filter"); }
    if (byBasis) { why.push(byBasis + " by the basis filter"); }
    if (byEnds) { why.push(byEnds + " because an end is hidden"); }
    if (why.length) { text += " (links hidden: " + why.join(", ") + ")"; }
    (data.omitted || []).forEach(function (item) {
      text += " · " + plural(item.count, caption(item.relation) + " link") + " not drawn: they " + item.why;
    });
    if (graphLayout.clusters.size) {
      var folded = 0;
      lastVisible.edges.forEach(function (id) {
        var edge = edgeById.get(id);
        if (collapsedHidden.has(edge.from) || collapsedHidden.has(edge.to)) { folded++; }
      });
      text += " · " + plural(graphLayout.clusters.size, "group") + " folded (" + collapsedHidden.size + " nodes, " +
        plural(folded, "link") + " not drawn until opened): click a group to open it";
    }
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
    var ids = network.body.nodeIndices.slice();
    if (!ids.length) { return; }
    if (animate === false && !state.focus) {
      // The first look: fitted, but never so small that plan, workstream and recommendation titles drop below 12 px.
      network.fit({ nodes: ids, animation: false });
      if (network.getScale() < READABLE_SCALE) {
        var box = null;
        ids.forEach(function (id) {
          var bb = network.getBoundingBox(id);
          box = box ? { left: Math.min(box.left, bb.left), top: Math.min(box.top, bb.top) } : { left: bb.left, top: bb.top };
        });
        var width = container.clientWidth / READABLE_SCALE, height = container.clientHeight / READABLE_SCALE;
        network.moveTo({ position: { x: box.left - 20 + width / 2, y: box.top - 30 + height / 2 }, scale: READABLE_SCALE, animation: false });
      }
      return;
    }
    network.fit({ nodes: ids, animation: animate === false ? false : { duration: 300, easingFunction: "easeInOutQuad" } });
  }

  // ---------------------------------------------------------------------------------------------
  // Selection and side panel

  var panelBox = document.getElementById("cp-panel");
  var panel = document.getElementById("cp-panel-body");

  // Open the drawer before anything is placed or fitted: the drawing's area shrinks by its width (or height).
  function openDrawer() {
    if (!panelBox.hidden) { return; }
    panelBox.hidden = false;
    areaResized();
  }
  function closeDrawer() {
    if (panelBox.hidden) { return; }
    panelBox.hidden = true;
    areaResized();
  }
  api.closeDrawer = closeDrawer;
  document.getElementById("cp-panel-close").addEventListener("click", function () { clearSelection(); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panelBox.hidden && document.activeElement !== searchInput) { clearSelection(); }
  });

  // The drawing's area changed size: the graph's canvas follows; the mapping is drawn again to fit it.
  function areaResized() {
    if (current.view === "graph") {
      network.setSize("100%", "100%");
      network.redraw();
    } else if (current.view === "mapping" && (isNarrow() !== current.list || !current.size ||
               current.size[0] !== mappingArea.clientWidth || current.size[1] !== mappingArea.clientHeight)) {
      drawMapping(current.drawing);
    } else if (current.view === "matrix" && isNarrow() !== Boolean(matrixArea.querySelector(".cp-list"))) {
      drawMatrix(current.drawing);
    }
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      areaResized();
      if (state.selected && current.view !== "graph") { select(state.selected, { animate: false }); }
    }, 120);
  });
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
    // Text as on the graph's boxes (white on the dark fills, dark on the light): 4.5:1 or more on every badge.
    if (style.types[type]) { badge.style.background = style.types[type].color; badge.style.color = DARK_TYPES.has(type) ? "#ffffff" : "#1f2937"; }
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
    openDrawer();
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
      var rank = function (edge) {
        // In the mapping and matrix, the links across the two plans come first.
        if (current.view !== "graph" && current.drawing && current.boxes.has(otherEnd(edge, id)) &&
            (nodeById.get(otherEnd(edge, id)) || {}).plan !== node.plan) { return -1; }
        return edge.relation === "part-of" ? 2 : (edge.relation === "owned-by" || edge.relation === "addressed-to" ? 1 : 0);
      };
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
    openDrawer();
    clear(panel);
    var relationStyle = style.relations[edge.relation];
    panel.appendChild(el("h2", { text: relationStyle.caption }));
    panel.appendChild(el("p", {}, nodeButton(edge.from), " → ", nodeButton(edge.to)));
    panel.appendChild(linkCard(edge, edge.from));
  }

  function select(id, how) {
    if (graphLayout.clusters.has(id)) { openCluster(id); return; }
    if (!nodeById.has(id)) { return; }
    state.selected = id;
    focusButton.disabled = false;
    if (current.view === "mapping" && !current.boxes.has(id) && !current.open && current.drawing.folded &&
        Object.keys(current.drawing.folded).some(function (key) { return current.drawing.folded[key].indexOf(id) >= 0; })) {
      current.open = true;
      drawMapping(current.drawing);
    }
    if (current.view !== "graph") { openDrawer(); }
    if (current.view === "mapping" && current.boxes.has(id)) {
      var ids = new Set([id]), indices = new Set();
      current.shown.edges.forEach(function (edge, index) {
        if (edge.left === id || edge.right === id) { indices.add(index); ids.add(edge.left); ids.add(edge.right); }
      });
      highlightMapping(ids, indices);
      showNode(id);
      keepInView(Array.from(ids));
      return;
    }
    if (current.view === "matrix" && matrixArea.querySelector("[data-node=\"" + cssEscape(id) + "\"]")) {
      matrixArea.querySelectorAll(".cp-on").forEach(function (element) { element.classList.remove("cp-on"); });
      var row = matrixArea.querySelector("[data-row=\"" + cssEscape(id) + "\"]");
      (row || matrixArea.querySelector("[data-node=\"" + cssEscape(id) + "\"]")).classList.add("cp-on");
      showNode(id);
      keepInView([id]);
      return;
    }
    if (current.view !== "graph" && how && how.keepView) { showNode(id); return; }
    if (current.view !== "graph") { show("graph", {}); return; }
    openDrawer();
    if (collapsedHidden.has(id)) {
      graphLayout.clusters.forEach(function (cluster) { if (cluster.members.indexOf(id) >= 0) { expanded.add(cluster.key); } });
      layoutGraph();
    }
    if (!hiddenNodes.has(id)) {
      network.selectNodes([id]);
      var around = new Set([id]);
      adjacency.get(id).forEach(function (index) {
        var edge = edgeList[index];
        if (!hiddenEdges.has(edge.id)) { var other = otherEnd(edge, id); if (!hiddenNodes.has(other) && !collapsedHidden.has(other)) { around.add(other); } }
      });
      emphasise(around);
      // Fit the node and its neighbours: everything the selection highlights stays in view.
      network.fit({ nodes: Array.from(around), animation: false });
      if (network.getScale() > 1.2) { network.moveTo({ scale: 1.2, animation: false }); }
      // Never below readable text: a node with neighbours far apart is centred at 12 px, its neighbours a pan away.
      if (network.getScale() < READABLE_SCALE) {
        network.moveTo({ position: network.getPosition(id), scale: READABLE_SCALE, animation: false });
      }
    } else {
      network.unselectAll();
    }
    showNode(id);
  }
  api.select = select;
  api.clearSelection = function () { clearSelection(); };

  function clearSelection() {
    state.selected = null;
    focusButton.disabled = true;
    network.unselectAll();
    if (api.dimmed) { emphasise(null); }
    highlightMapping(null, null);
    matrixArea.querySelectorAll(".cp-on").forEach(function (element) { element.classList.remove("cp-on"); });
    clear(panel);
    closeDrawer();
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
    if (!node) { return; }
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

  // Matches stand out in the drawing itself, not only in the list.
  function highlightMatches(found) {
    if (found === null) {
      current.matches = null;
      markMatches();
      if (current.view === "mapping") { highlightMapping(null, null); } else if (api.dimmed && !state.selected) { emphasise(null); }
      return;
    }
    var ids = new Set(found.map(function (node) { return node.id; }));
    current.matches = ids;
    if (current.view === "mapping") { highlightMapping(ids, new Set()); }
    else if (current.view === "graph") { emphasise(ids); }
    markMatches();
    api.matches = ids.size;
  }
  api.highlightMatches = highlightMatches;

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

  // Choosing a match keeps the current view: the match is selected where this view draws it, or its details open.
  function choose(id) {
    closeResults();
    select(id, { animate: true, keepView: true });
  }

  var searchTimer = null;
  searchInput.addEventListener("input", function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(function () {
      results = search(searchInput.value);
      active = results.length ? 0 : -1;
      renderResults();
      highlightMatches(searchInput.value.trim() ? results : null);
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

  api.timing.beforeFilters = performance.now();
  buildOptions();
  buildFilters();
  api.timing.filtersBuilt = performance.now();
  applyFilters();
  api.timing.scripted = performance.now();
})();
