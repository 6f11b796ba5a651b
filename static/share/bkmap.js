/* Buurtkaart's light map: decodes the compact encoding of buurtkaart/compact.py and draws it with Leaflet.
 * Used by the app's map and by the shared standalone file. Every text from data goes into the page as a
 * text node (textContent), never as HTML. */
(function () {
  'use strict';

  /** Return the signed integers of base64 zig-zag varints. */
  function ints(b64) {
    const out = [];
    if (!b64) { return out; }
    const s = atob(b64);
    let value = 0, shift = 0;
    for (let i = 0; i < s.length; i++) {
      const byte = s.charCodeAt(i);
      value += (byte & 127) * Math.pow(2, shift);
      if (byte & 128) { shift += 7; continue; }
      out.push(value % 2 ? -(value + 1) / 2 : value / 2);
      value = 0; shift = 0;
    }
    return out;
  }

  /** Return a reader of [lat, lng] steps chained over a stream of integers. */
  function reader(header, stream) {
    const q = header.q, ox = header.o[0], oy = header.o[1];
    let i = 0, x = 0, y = 0;
    return {
      count: function () { return stream[i++]; },
      next: function () { x += stream[i++]; y += stream[i++]; return [(oy + y) * q, (ox + x) * q]; },
      more: function () { return i < stream.length; },
    };
  }

  function points(header, b64) {
    const r = reader(header, ints(b64)), out = [];
    while (r.more()) { out.push(r.next()); }
    return out;
  }

  function run(r) {
    const n = r.count(), line = new Array(n);
    for (let k = 0; k < n; k++) { line[k] = r.next(); }
    return line;
  }

  function lines(header, b64) {
    const r = reader(header, ints(b64)), out = [];
    while (r.more()) { out.push(run(r)); }
    return out;
  }

  function polygons(header, b64) {
    const r = reader(header, ints(b64)), out = [];
    while (r.more()) {
      const rings = r.count(), polygon = [];
      for (let k = 0; k < rings; k++) { polygon.push(run(r)); }
      out.push(polygon);
    }
    return out;
  }

  /** Return a property column as an array of `n` texts (plain list, table + indices, or sparse). */
  function column(col, n) {
    if (Array.isArray(col)) { return col; }
    const out = new Array(n).fill('');
    if (col.i !== undefined) {
      const idx = ints(col.i);
      for (let k = 0; k < idx.length; k++) { out[k] = col.t[idx[k]]; }
    } else if (col.k !== undefined) {  // ids: a prefix (by index) and a number (by step), see compact.id_column
      const s = ints(col.k);
      let number = 0;
      for (let k = 0; k < s.length; k += 2) {
        number += s[k + 1];
        out[k / 2] = number < 0 ? col.t[s[k]] : col.t[s[k]] + String(number);
      }
    } else {
      const s = ints(col.s);
      let row = -1;
      for (let k = 0; k < s.length; k += 2) { row += s[k]; out[row] = col.t[s[k + 1]]; }
    }
    return out;
  }

  function columns(spec) {
    const out = {};
    for (const key of Object.keys(spec.p || {})) { out[key] = column(spec.p[key], spec.count); }
    return out;
  }

  /** Return the popup of feature `i` of a layer: its name in bold and a table of its filled fields, as text. */
  function popup(spec, props, i, labels) {
    const box = document.createElement('div');
    box.className = 'bk-popup';
    if (props.n) {
      const title = document.createElement('b');
      title.textContent = props.n[i] || labels.unnamed;
      box.appendChild(title);
    }
    const table = document.createElement('table');
    for (const [key, label] of spec.rows || []) {
      let value = key === 'c' ? spec.sub || spec.label : (props[key] ? props[key][i] : '');
      if (value && spec.values && spec.values[key]) { value = spec.values[key][value] || value; }
      if (!value) { continue; }
      const row = table.insertRow();
      row.insertCell().textContent = label;
      row.insertCell().textContent = value;
    }
    box.appendChild(table);
    if (spec.mark && props.i && props.i[i]) { box.appendChild(markLink(spec, props.i[i])); }
    return box;
  }

  /**
   * Return the "mark as vindplaats" link of an OSM place: it opens the vindplaatsen page with the place's id.
   * Inside the app (the map in a frame of the same origin) the page is switched in place, so the session and its
   * sign-in are kept; elsewhere the link opens in a new tab.
   */
  function markLink(spec, id) {
    const link = document.createElement('a');
    let base = window.location.origin + '/';
    let app = null;
    try {
      if (window.parent !== window && window.parent.location.origin === window.location.origin) {
        app = window.parent;
        base = app.location.href;
      }
    } catch (err) { app = null; }  // a frame of another origin: no access to it
    const url = new URL(spec.mark + encodeURIComponent(id), base);
    link.href = url.href;
    link.target = '_blank';
    link.rel = 'noopener';
    link.className = 'bk-mark';
    link.textContent = spec.markLabel || '+';
    link.addEventListener('click', function (event) {
      if (!app) { return; }
      event.preventDefault();
      app.history.pushState(null, '', url.href);
      app.dispatchEvent(new PopStateEvent('popstate', {state: null}));  // Streamlit opens the page of the new address
    });
    return link;
  }

  /**
   * Street names written along the streets, only from `spec.minZoom` on and only those in view (a few dozen labels
   * at a time, never thousands). Each name is a text node in a non-interactive marker, rotated along its street.
   */
  const LabelLayer = L.Layer.extend({
    initialize: function (latlngs, texts, angles, weights, spec) {
      this.latlngs = latlngs; this.texts = texts; this.angles = angles; this.weights = weights; this.spec = spec; this.shown = [];
    },
    onAdd: function (map) {
      if (!map.getPane('bkLabels')) {
        const pane = map.createPane('bkLabels');
        pane.style.zIndex = 420;
        pane.style.pointerEvents = 'none';
      }
      map.on('zoomend moveend', this._update, this);
      this._update();
    },
    onRemove: function (map) {
      map.off('zoomend moveend', this._update, this);
      this._clear(map);
    },
    _clear: function (map) {
      for (const marker of this.shown) { map.removeLayer(marker); }
      this.shown = [];
    },
    /** Return the width in pixels of a label's text (measured once per text). */
    _width: function (text) {
      this._widths = this._widths || {};
      if (this._widths[text] === undefined) {
        this._ctx = this._ctx || document.createElement('canvas').getContext('2d');
        this._ctx.font = '600 11px sans-serif';
        this._widths[text] = this._ctx.measureText(text).width + 4;
      }
      return this._widths[text];
    },
    _update: function () {
      const map = this._map;
      if (!map) { return; }
      this._clear(map);
      document.body.dataset.streetLabels = '0';
      if (map.getZoom() < (this.spec.minZoom || 16)) { return; }
      const view = map.getBounds().pad(0.1), most = this.spec.most || 300;
      const candidates = [];
      for (let i = 0; i < this.latlngs.length; i++) {
        if (view.contains(this.latlngs[i])) { candidates.push(i); }
      }
      const weights = this.weights;
      candidates.sort(function (a, b) { return (Number(weights[b]) || 0) - (Number(weights[a]) || 0); });
      const boxes = [];
      for (const i of candidates) {
        if (this.shown.length >= most) { break; }
        // the label's box on the screen (the rotated text's outer rectangle), kept clear of every label already written
        const p = map.latLngToContainerPoint(this.latlngs[i]), a = (Number(this.angles[i]) || 0) * Math.PI / 180;
        const w = this._width(this.texts[i]), h = 14;
        const bw = Math.abs(w * Math.cos(a)) + Math.abs(h * Math.sin(a)), bh = Math.abs(w * Math.sin(a)) + Math.abs(h * Math.cos(a));
        const box = [p.x - bw / 2, p.y - bh / 2, p.x + bw / 2, p.y + bh / 2];
        if (boxes.some(function (o) { return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]; })) { continue; }
        boxes.push(box);
        const text = document.createElement('span');
        text.className = 'bk-street-label';
        text.textContent = this.texts[i];
        text.style.transform = 'translate(-50%, -50%) rotate(' + (Number(this.angles[i]) || 0) + 'deg)';
        const icon = L.divIcon({className: 'bk-street-label-icon', html: text, iconSize: [0, 0]});
        const marker = L.marker(this.latlngs[i], {icon: icon, interactive: false, keyboard: false, pane: 'bkLabels'});
        marker.addTo(map);
        this.shown.push(marker);
      }
      document.body.dataset.streetLabels = String(this.shown.length);
    },
  });

  function style(spec, renderer) {
    return {
      renderer: renderer,
      color: spec.colour,
      weight: spec.weight === undefined ? 1.5 : spec.weight,
      opacity: spec.opacity === undefined ? 0.9 : spec.opacity,
      fill: spec.kind === 'polygons' ? spec.fill !== false : false,
      fillColor: spec.fillColour || spec.colour,
      fillOpacity: spec.fillOpacity === undefined ? 0.5 : spec.fillOpacity,
      dashArray: spec.dash || null,
      className: spec.className || '',
      interactive: !!spec.interactive,
    };
  }


  /**
   * A canvas that draws many features without one Leaflet object each (a whole region: 16,819 places and
   * ~200,000 street points in a few tens of milliseconds). Each layer projects its coordinates once (zoom 0)
   * and draws itself after every move or zoom. Pointer events go through it; a click on the map opens the
   * popup of the nearest dot.
   */
  const FastCanvas = L.Layer.extend({
    initialize: function (pane) { this.pane = pane; this._layers = []; },
    onAdd: function (map) {
      this._canvas = L.DomUtil.create('canvas', 'bk-fast leaflet-zoom-hide');
      this._canvas.style.pointerEvents = 'none';
      map.getPane(this.pane).appendChild(this._canvas);
      map.on('moveend zoomend resize viewreset', this._redraw, this);
      map.on('click', this._click, this);
      this._redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off('moveend zoomend resize viewreset', this._redraw, this);
      map.off('click', this._click, this);
    },
    add: function (layer) {
      this._layers.push(layer);
      this._layers.sort(function (a, b) { return a.order - b.order; });
      this._schedule();
    },
    remove: function (layer) { this._layers = this._layers.filter(function (l) { return l !== layer; }); this._schedule(); },
    _schedule: function () {
      const self = this;
      if (!this._frame) { this._frame = L.Util.requestAnimFrame(function () { self._frame = null; self._redraw(); }); }
    },
    _redraw: function () {
      const map = this._map;
      if (!map) { return; }
      const size = map.getSize(), pad = 0.3, dpr = window.devicePixelRatio || 1;
      const topLeft = map.containerPointToLayerPoint([-size.x * pad, -size.y * pad]).round();
      const w = Math.round(size.x * (1 + 2 * pad)), h = Math.round(size.y * (1 + 2 * pad));
      const canvas = this._canvas;
      canvas.width = w * dpr; canvas.height = h * dpr;
      canvas.style.width = w + 'px'; canvas.style.height = h + 'px';
      L.DomUtil.setPosition(canvas, topLeft);
      const origin = map.getPixelOrigin();
      const view = {scale: Math.pow(2, map.getZoom()), ox: origin.x + topLeft.x, oy: origin.y + topLeft.y, w: w, h: h};
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      for (const layer of this._layers) { layer.draw(ctx, view, map); }
    },
    _click: function (e) {
      const map = this._map, origin = map.getPixelOrigin(), scale = Math.pow(2, map.getZoom());
      const px = e.layerPoint.x + origin.x, py = e.layerPoint.y + origin.y;
      let best = null, bestD = Infinity;
      for (const layer of this._layers) {
        if (!layer.open) { continue; }
        const r = (layer.spec.radius || 6) + 3, xy = layer.projected(map);
        for (let i = 0; i < xy.length; i += 2) {
          const dx = xy[i] * scale - px, dy = xy[i + 1] * scale - py, d = dx * dx + dy * dy;
          if (d <= r * r && d <= bestD) { best = [layer, i / 2]; bestD = d; }
        }
      }
      if (best) { best[0].open(best[1], map); }
    },
  });

  function fastCanvas(map, pane) {
    map._bkFast = map._bkFast || {};
    if (!map._bkFast[pane]) {
      if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = 450; }
      map._bkFast[pane] = new FastCanvas(pane);
      map._bkFast[pane].addTo(map);
    }
    return map._bkFast[pane];
  }

  let layerOrder = 0;
  const MAX_LAT = 85.0511287798, RAD = Math.PI / 180, FOUR_PI = 4 * Math.PI;

  /** Return a projector of [lat, lng] to the map's pixels at zoom 0: web Mercator inline (what map.project
   * computes for EPSG:3857, without an object per point: ~10x faster for a region's streets). */
  function projector(map) {
    if (map.options.crs !== L.CRS.EPSG3857) {
      return function (ll, out, k) { const p = map.project(ll, 0); out[k] = p.x; out[k + 1] = p.y; };
    }
    return function (ll, out, k) {
      const s = Math.sin(Math.max(Math.min(ll[0], MAX_LAT), -MAX_LAT) * RAD);
      out[k] = 256 * (ll[1] / 360 + 0.5);
      out[k + 1] = 256 * (0.5 - Math.log((1 + s) / (1 - s)) / FOUR_PI);
    };
  }

  /** A layer of places drawn as dots on a FastCanvas above the other layers. */
  const DotLayer = L.Layer.extend({
    initialize: function (latlngs, spec, popupOf) {
      this.latlngs = latlngs; this.spec = spec; this.popupOf = popupOf;
      this.order = (spec.numbers ? 1e6 : 0) + layerOrder++;  // numbered stops above every other dot
    },
    projected: function (map) {
      if (!this._xy) {
        this._xy = new Float64Array(this.latlngs.length * 2);
        const project = projector(map);
        for (let i = 0; i < this.latlngs.length; i++) { project(this.latlngs[i], this._xy, 2 * i); }
      }
      return this._xy;
    },
    draw: function (ctx, view, map) {
      const spec = this.spec, r = spec.radius || 6, xy = this.projected(map);
      ctx.lineWidth = spec.weight || 1;
      ctx.strokeStyle = spec.rim || '#ffffff';
      ctx.fillStyle = spec.colour;
      const alpha = spec.fillOpacity || 0.9;
      for (let i = 0; i < xy.length; i += 2) {  // each dot filled then rimmed, as Leaflet draws a circle marker
        const x = xy[i] * view.scale - view.ox, y = xy[i + 1] * view.scale - view.oy;
        if (x < -r || y < -r || x > view.w + r || y > view.h + r) { continue; }
        ctx.beginPath();
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.globalAlpha = alpha;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.stroke();
      }
      if (this.labels) {  // a short text on each dot (a stop's number in walking order), drawn as text
        ctx.fillStyle = spec.rim && spec.rim !== '#ffffff' ? spec.rim : '#ffffff';
        ctx.font = 'bold ' + Math.round(r * 1.1) + 'px sans-serif';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        for (let i = 0; i < xy.length; i += 2) {
          ctx.fillText(this.labels[i / 2], xy[i] * view.scale - view.ox, xy[i + 1] * view.scale - view.oy);
        }
      }
    },
    open: function (i, map) { L.popup().setLatLng(this.latlngs[i]).setContent(this.popupOf(i)).openOn(map); },
    onAdd: function (map) { fastCanvas(map, 'bkPlaces').add(this); },
    onRemove: function (map) { fastCanvas(map, 'bkPlaces').remove(this); },
  });

  /** A layer of lines or polygons without popups (streets, green, distance classes) drawn on a FastCanvas. */
  const PathLayer = L.Layer.extend({
    initialize: function (parts, closed, spec) {
      this.parts = parts; this.closed = closed; this.spec = spec; this.order = layerOrder++;
    },
    projected: function (map) {
      if (!this._xy) {
        const project = projector(map);
        this._xy = this.parts.map(function (part) {
          const xy = new Float64Array(part.length * 2);
          let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
          for (let i = 0; i < part.length; i++) {
            project(part[i], xy, 2 * i);
            const x = xy[2 * i], y = xy[2 * i + 1];
            x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
          }
          return {xy: xy, box: [x0, y0, x1, y1]};
        });
      }
      return this._xy;
    },
    draw: function (ctx, view, map) {
      const spec = this.spec, s = view.scale;
      ctx.beginPath();
      for (const part of this.projected(map)) {
        const b = part.box;
        if (b[2] * s < view.ox || b[0] * s > view.ox + view.w || b[3] * s < view.oy || b[1] * s > view.oy + view.h) { continue; }
        const xy = part.xy;
        ctx.moveTo(xy[0] * s - view.ox, xy[1] * s - view.oy);
        for (let i = 2; i < xy.length; i += 2) { ctx.lineTo(xy[i] * s - view.ox, xy[i + 1] * s - view.oy); }
        if (this.closed) { ctx.closePath(); }
      }
      if (this.closed && spec.fill !== false) {
        ctx.globalAlpha = spec.fillOpacity === undefined ? 0.5 : spec.fillOpacity;
        ctx.fillStyle = spec.fillColour || spec.colour;
        ctx.fill('evenodd');
      }
      ctx.globalAlpha = spec.opacity === undefined ? 0.9 : spec.opacity;
      ctx.lineWidth = spec.weight === undefined ? 1.5 : spec.weight;
      ctx.strokeStyle = spec.colour;
      ctx.lineJoin = 'round';
      ctx.setLineDash(spec.dash ? spec.dash.split(' ').map(Number) : []);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
    },
    getAttribution: function () { return this.spec.attribution || null; },
    onAdd: function (map) { fastCanvas(map, 'overlayPane').add(this); },
    onRemove: function (map) { fastCanvas(map, 'overlayPane').remove(this); },
  });


  /**
   * Return {group, count, items} for one layer spec: a feature group of Leaflet layers (not yet on a map).
   * items[i] = {latlng, open()} for the points, for the search.
   */
  function layer(header, spec, options) {
    const labels = options.labels || {unnamed: '?'};
    const renderer = options.renderer;
    const group = L.featureGroup([], spec.attribution ? {attribution: spec.attribution} : {});
    const props = columns(spec);
    const items = [];
    header = spec.o ? {q: spec.q, o: spec.o} : header;  // a layer may bring its own grid
    if (spec.kind === 'points' && spec.streetLabels) {
      const pts = points(header, spec.c);
      return {group: new LabelLayer(pts, props.n || [], props.r || [], props.l || [], spec), count: pts.length, items: items};
    }
    if (spec.kind === 'points' && (options.dots || spec.dots)) {
      const pts = points(header, spec.c);
      const dotLayer = new DotLayer(pts, spec, function (i) { return popup(spec, props, i, labels); });
      for (let i = 0; i < pts.length; i++) {
        const index = i;
        items.push({latlng: pts[i], name: (props.n && props.n[i]) || '', open: function (map) { dotLayer.open(index, map); }});
      }
      if (spec.place) { dotLayer.bkPlaces = pts.length; }
      if (spec.numbers && props[spec.numbers]) { dotLayer.labels = props[spec.numbers]; }
      return {group: dotLayer, count: pts.length, items: items};
    }
    if (spec.kind === 'points') {
      const marker = {
        renderer: renderer, radius: spec.radius || 6, color: spec.rim || '#ffffff', weight: spec.weight || 1.5,
        fill: true, fillColor: spec.colour, fillOpacity: spec.fillOpacity || 0.9, className: spec.className || '',
      };
      const pts = points(header, spec.c);
      for (let i = 0; i < pts.length; i++) {
        const m = L.circleMarker(pts[i], marker);
        m.bkIndex = i;
        group.addLayer(m);
        items.push({latlng: pts[i], name: (props.n && props.n[i]) || '', marker: m});
      }
      group.on('click', function (e) {
        const i = e.layer.bkIndex;
        if (i === undefined) { return; }
        L.popup().setLatLng(e.layer.getLatLng()).setContent(popup(spec, props, i, labels)).openOn(e.target._map);
      });
      for (const item of items) {
        item.open = function (map) {
          L.popup().setLatLng(item.latlng).setContent(popup(spec, props, item.marker.bkIndex, labels)).openOn(map);
        };
      }
    } else {
      const geoms = spec.kind === 'lines' ? lines(header, spec.c) : polygons(header, spec.c);
      const make = spec.kind === 'lines' ? L.polyline : L.polygon;
      const st = style(spec, renderer);
      const perFeature = Object.keys(props).length > 0;
      if (!perFeature && (options.dots || spec.dots)) {
        const parts = spec.kind === 'lines' ? geoms : [].concat.apply([], geoms);
        return {group: new PathLayer(parts, spec.kind === 'polygons', spec), count: spec.count, items: items};
      }
      if (!perFeature) {
        if (geoms.length) { group.addLayer(make(geoms, st)); }
      } else {
        st.interactive = true;
        for (let i = 0; i < geoms.length; i++) {
          const g = make(geoms[i], st);
          if (spec.tip && props[spec.tip]) {
            const text = props[spec.tip][i];
            g.bindTooltip(function () { return document.createTextNode(text); }, {sticky: true});
          } else {
            g.bindPopup(function () { return popup(spec, props, i, labels); });
          }
          group.addLayer(g);
        }
      }
    }
    const count = spec.kind === 'points' ? items.length : spec.count;
    if (spec.place) { group.bkPlaces = count; }
    return {group: group, count: count, items: items};
  }

  /* The app's map: its layers come from one data file (buurtkaart.maps.publish) on the app's own server,
   * fetched once per page for all its layers (and kept by the browser's cache), drawn when it arrives. */
  const files = {};
  let waiting = 0;

  function fetchOnce(url) {
    if (!files[url]) {
      files[url] = fetch(url, {credentials: 'same-origin'}).then(function (answer) {
        if (!answer.ok) { throw new Error(url + ': ' + answer.status); }
        return answer.json();
      });
    }
    return files[url];
  }

  /** Return a layer group (for the map and its layer control now) that receives layer `key` of the file at `url`. */
  function remote(url, key, style, options) {
    const holder = L.layerGroup();
    waiting += 1;
    fetchOnce(url).then(function (data) {
      const spec = data.layers[key];
      if (spec) { holder.addLayer(layer(data.header, Object.assign(spec, style), options).group); }
    }).catch(function (error) {
      document.body.dataset.mapError = String(error.message || error);
    }).then(function () {
      waiting -= 1;
      if (!waiting) { document.dispatchEvent(new Event('bk:loaded')); }
    });
    return holder;
  }

  /** Return how many layers of a data file are still on their way. */
  function pending() { return waiting; }

  /** Return a text folded for search: lower case, no accents, single spaces. */
  function fold(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
  }

  window.BK = {
    ints: ints, points: points, lines: lines, polygons: polygons, column: column, layer: layer, popup: popup, fold: fold,
    remote: remote, pending: pending, projector: projector,
  };
})();
