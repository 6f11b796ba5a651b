/* The shared Buurtkaart file: reads the data block, draws the map, the panel (title, legend with layer
 * switches, search by name) and sets document.body.dataset.placesDrawn. No request leaves the file. */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('bk-data').textContent);
  const meta = data.meta, labels = meta.labels;
  if (meta.present || location.hash === '#present') { document.body.classList.add('bk-present'); }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The map: one canvas for everything (light for a whole region), our own basemap, no tiles.
  const renderer = L.canvas({padding: 0.3});
  const map = L.map('bk-map', {preferCanvas: true, zoomSnap: 0.25, attributionControl: true, maxZoom: 19});  // maps.MAX_ZOOM
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(meta.attribution.replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }));
  const b = data.bounds;
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  L.control.scale({imperial: false}).addTo(map);

  const panel = document.getElementById('bk-panel');
  panel.appendChild(el('h1', 'bk-title', meta.title));
  if (meta.subtitle) { panel.appendChild(el('p', 'bk-subtitle', meta.subtitle)); }
  panel.appendChild(el('p', 'bk-meta', [meta.organisation, meta.date].filter(Boolean).join(' · ')));

  // Search by name over every layer of points.
  const search = el('input', 'bk-search');
  search.type = 'search';
  search.placeholder = labels.search;
  search.setAttribute('aria-label', labels.search);
  const results = el('ul', 'bk-results');
  panel.appendChild(search);
  panel.appendChild(results);

  const legend = el('div', 'bk-legend');
  legend.appendChild(el('h2', '', labels.legend));
  panel.appendChild(legend);

  let drawn = 0;
  const entries = [];
  function setDrawn() {
    drawn = entries.filter(function (e) { return e.place && map.hasLayer(e.group); })
      .reduce(function (sum, e) { return sum + e.count; }, 0);
    document.body.dataset.placesDrawn = String(drawn);
  }

  function addEntry(spec, section) {
    const built = BK.layer(data, spec, {renderer: renderer, labels: labels, dots: true});
    const entry = {spec: spec, group: built.group, count: built.count, items: built.items, place: !!spec.place};
    if (spec.show !== false) { built.group.addTo(map); }
    const row = el('label', 'bk-entry');
    row.dataset.layer = spec.key;
    const box = el('input');
    box.type = 'checkbox';
    box.checked = spec.show !== false;
    box.addEventListener('change', function () {
      if (box.checked) { built.group.addTo(map); } else { map.removeLayer(built.group); }
      setDrawn();
    });
    const swatch = el('span', 'bk-swatch bk-swatch-' + spec.kind);
    swatch.style.background = spec.kind === 'lines' ? spec.colour : (spec.fillColour || spec.colour);
    swatch.style.borderColor = spec.colour;
    row.appendChild(box);
    row.appendChild(swatch);
    row.appendChild(el('span', 'bk-label', spec.label));
    if (spec.kind === 'points') { row.appendChild(el('small', 'bk-count', ' (' + built.count + ')')); }
    section.appendChild(row);
    entries.push(entry);
    return entry;
  }

  const sections = {};
  for (const spec of [...data.base, ...data.layers]) {
    const name = spec.section || '';
    if (!sections[name]) {
      const section = el('div', 'bk-section');
      if (name) { section.appendChild(el('h3', '', name)); }
      legend.appendChild(section);
      sections[name] = section;
    }
    addEntry(spec, sections[name]);
  }

  search.addEventListener('input', function () {
    results.replaceChildren();
    const q = BK.fold(search.value);
    if (q.length < 2) { return; }
    let shown = 0;
    for (const entry of entries) {
      for (const item of entry.items) {
        if (shown >= 12) { break; }
        if (!item.name || BK.fold(item.name).indexOf(q) < 0) { continue; }
        const li = el('li');
        const button = el('button', 'bk-hit', item.name);
        button.type = 'button';
        button.appendChild(el('small', '', ' — ' + entry.spec.label));
        button.addEventListener('click', function () {
          if (!map.hasLayer(entry.group)) { entry.group.addTo(map); setDrawn(); syncBoxes(); }
          map.setView(item.latlng, 18);
          item.open(map);
        });
        li.appendChild(button);
        results.appendChild(li);
        shown++;
      }
    }
    if (!shown) { results.appendChild(el('li', 'bk-none', labels.none)); }
  });

  function syncBoxes() {
    for (const row of legend.querySelectorAll('label.bk-entry')) {
      const entry = entries.find(function (e) { return e.spec.key === row.dataset.layer; });
      row.querySelector('input').checked = map.hasLayer(entry.group);
    }
  }

  if (meta.notes && meta.notes.length) {
    const notes = el('div', 'bk-notes');
    for (const line of meta.notes) { notes.appendChild(el('p', '', line)); }
    panel.appendChild(notes);
  }
  panel.appendChild(el('p', 'bk-attribution', meta.attribution));
  if (meta.streets_note) { panel.appendChild(el('p', 'bk-attribution', meta.streets_note)); }

  window.bkMap = map;
  setDrawn();
})();
