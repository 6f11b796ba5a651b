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
    return box;
  }

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

  /** Return a text folded for search: lower case, no accents, single spaces. */
  function fold(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
  }

  window.BK = {ints: ints, points: points, lines: lines, polygons: polygons, column: column, layer: layer, popup: popup, fold: fold};
})();
