"""Vindplaatsen and the organisation map: mark, edit, delete (with undo), import and export."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from buurtkaart import accounts, erasure, exchange, formats, maps, wayfinding
from buurtkaart import vindplaatsen as vp
from buurtkaart.errors import BuurtkaartError
from buurtkaart.i18n import t
from buurtkaart.pages import common
from buurtkaart.plain_text import escape_markdown

FORM_FIELDS = ("name", "kind", "hours", "notes", "lon", "lat", "layer")
EXPORT_FORMATS = {"GeoJSON (uMap)": ".geojson", "CSV": ".csv", "KML": ".kml", "GPX": ".gpx", "GeoPackage": ".gpkg"}


def labels(vocabulary: str, lang: str) -> dict[str, str]:
    """Return {key: label} of a vocabulary in `lang`."""
    return dict(vp.options(vocabulary, lang))


def pick(label: str, vocabulary: str, lang: str, *, value: str | None = None, key: str) -> str:
    """Show a select box of a vocabulary and return the chosen key."""
    choices = labels(vocabulary, lang)
    keys = list(choices)
    index = 0 if key in st.session_state else keys.index(value) if value in keys else 0  # a value set by the page wins
    return common.selectbox(label, keys, index=index, format_func=choices.get, key=key)


def prefill_osm(place_id: str, form_key: str) -> None:
    """Put the OSM place a map popup's "Markeer als vindplaats" named (``?osm=<id>``) in the new-place form, by its id."""
    place = wayfinding.find_place(region, place_id)
    if place is None:
        st.session_state["vp_message"] = ("error", t("vp.osm.unknown", lang))
        return
    prefill({"geometry": place.geometry, "label": place["name"], "source": "place", "id": place_id}, form_key)
    st.session_state[f"vp_tab_{lang}"] = t("vp.tab.new", lang)  # the form it is in
    st.session_state["vp_message"] = ("success", t("vp.osm.prefilled", lang, name=place["name"] or t("place.unnamed", lang)))


def prefill(hit, form_key: str) -> None:
    """Put a picked search hit in the new-place form: its point, name and, for an OSM place, kind, hours, wheelchair, id."""
    point = (hit["geometry"].y, hit["geometry"].x)
    st.session_state["vp_point"] = point
    st.session_state["vp_focus"] = point  # the map goes there once (a click never moves the map)
    st.session_state[f"{form_key}_name"] = hit["label"]
    st.session_state.pop("vp_new_osm", None)
    if hit["source"] != "place":
        return
    place = region.places.loc[region.places["place_id"] == hit["id"]]
    if place.empty:
        return
    fields = vp.fields_from_place(place.iloc[0])
    st.session_state[f"{form_key}_kind"] = fields["kind"]
    st.session_state[f"{form_key}_hours"] = fields["hours"]
    st.session_state[f"{form_key}_wheelchair"] = fields["wheelchair"]
    st.session_state["vp_new_osm"] = (fields["osm_place_id"], point)


def field_error(prefix: str, field: str) -> None:
    """Show, right under a field, why the last save of the form `prefix` was refused because of it."""
    refused = st.session_state.get("vp_field_error")
    if refused and refused[0] == prefix and refused[1] == field:
        st.error(refused[2], icon="⚠️")


def item_fields(lang: str, layer: str, *, item: vp.Item | None = None, prefix: str) -> dict:
    """Show the form fields of an item (inside a st.form) and return their values; a refused field says why under it."""
    fields = {"name": st.text_input(t("item.name", lang), **({"value": item.name} if item else {}), key=f"{prefix}_name")}
    field_error(prefix, "name")
    fields["kind"] = pick(t("item.kind", lang), "kind", lang, value=item.kind if item else None, key=f"{prefix}_kind")
    field_error(prefix, "kind")
    groups, langs = labels("target_group", lang), labels("language", lang)
    fields["target_groups"] = common.multiselect(
        t("item.target_groups", lang), list(groups), default=list(item.target_groups) if item else [], format_func=groups.get, key=f"{prefix}_groups"
    )
    fields["languages"] = common.multiselect(
        t("item.languages", lang), list(langs), default=list(item.languages) if item else [], format_func=langs.get, key=f"{prefix}_langs"
    )
    fields["hours"] = st.text_input(t("item.hours", lang), value=item.hours if item else "", placeholder=t("hint.hours", lang), key=f"{prefix}_hours")
    field_error(prefix, "hours")
    fields["wheelchair"] = pick(t("item.wheelchair", lang), "wheelchair", lang, value=item.wheelchair if item else "unknown", key=f"{prefix}_wheelchair")
    formal_options = {None: t("formal.unknown", lang), True: t("formal.yes", lang), False: t("formal.no", lang)}
    fields["formal"] = st.radio(
        t("item.formal", lang), list(formal_options), index=list(formal_options).index(item.formal if item else None),
        format_func=formal_options.get, horizontal=True, key=f"{prefix}_formal",
    )
    actor_vocabulary = vp.ACTOR_VOCABULARY.get(layer)
    if actor_vocabulary:
        fields["actor"] = pick(t("item.actor", lang), actor_vocabulary, lang, value=item.actor if item else None, key=f"{prefix}_actor")
    fields["notes"] = st.text_area(t("item.notes", lang), value=item.notes if item else "", key=f"{prefix}_notes")
    field_error(prefix, "notes")
    for field in ("lon", "lat", "layer"):
        field_error(prefix, field)
    return fields


def run(action, lang: str, success: str, *, form: str | None = None) -> bool:
    """Run a store action; show `success` or the error in plain language; return whether it worked.

    The message stays above the map until the next action (with its undo, if it offers one); an error about
    one field of the form `form` is also shown under that field, and the form keeps what was typed.
    """
    st.session_state.pop("vp_field_error", None)
    st.session_state.pop("vp_undo", None)  # the undo of an earlier delete goes with its message
    try:
        result = action()
    except BuurtkaartError as error:
        st.session_state["vp_message"] = ("error", error.message(lang))
        if form is not None and error.field in FORM_FIELDS:  # about one field: said under it too
            st.session_state["vp_field_error"] = (form, error.field, error.message(lang))
        return False
    st.session_state["vp_message"] = ("success", success.format(name=getattr(result, "name", "")))
    return True


def purge_block() -> None:
    """Show the coordinator's purge of a deleted item with its whole history (notes and all), for good."""
    gone = vp.list_items(db, org, include_deleted=True)
    gone = gone[gone["deleted_at"].notna()]
    st.subheader(t("vp.purge.title", lang))
    if gone.empty:
        st.caption(t("vp.purge.none", lang))
        return
    st.caption(t("vp.purge.help", lang))
    names = {row.id: f"{row.name} — {row.deleted_at:%Y-%m-%d %H:%M}" for row in gone.itertuples()}
    chosen = common.selectbox(t("vp.purge.pick", lang), list(names), format_func=names.get, key="vp_purge_pick")
    sure = st.checkbox(t("vp.purge.sure", lang), key=f"vp_purge_sure_{chosen}")
    if st.button(t("vp.purge.button", lang), disabled=not sure, type="primary", key="vp_purge"):
        st.session_state.pop("vp_undo", None)
        try:
            done = erasure.purge_item(db, org, chosen)
        except BuurtkaartError as error:
            st.session_state["vp_message"] = ("error", error.message(lang))
        else:
            key = "vp.purge.pending" if done.pending else "vp.purge.done"
            st.session_state["vp_message"] = ("success", t(key, lang, name=names[chosen].split(" — ")[0], n=done.rows))
        st.rerun()


lang = common.lang()
db = common.store()
region = common.embedded_region()
bounds = region.boundary

# Sidebar: organisation, who you are, which layers
org = common.organisation(lang, db, accounts.MAP_READ)  # an edit of a viewer is refused by the package
can_edit = org.can(accounts.MAP_WRITE)  # and the page shows a viewer no form that would change the map
# Opened from a place's popup on the Kaart ("Markeer als vindplaats": /vindplaatsen?osm=<id>): that place, in the form
osm_link = st.query_params.get("osm")
if osm_link:
    del st.query_params["osm"]
    prefill_osm(str(osm_link), f"vp_new_{st.session_state.setdefault('vp_new_form', 0)}")
    st.rerun()
layer_labels = labels("layer", lang)
shown_layers = common.multiselect(
    t("vp.layers", lang), list(layer_labels), default=list(layer_labels), format_func=layer_labels.get, key="vp_layers", container=st.sidebar
)
st.sidebar.caption(t("vp.store", lang, kind="PostgreSQL + PostGIS" if db.is_postgres else "SQLite"))
st.title(f"📍 {t('vp.title', lang)}")
st.caption(t("vp.intro", lang))
# One fixed place for the last message (and its undo): the map and the tabs below keep their place on the page,
# so they keep their view and their tab.
notice = st.container(key="vp_notice")
message = st.session_state.get("vp_message")
undo = st.session_state.get("vp_undo")
with notice:
    if message:
        (st.success if message[0] == "success" else st.error)(escape_markdown(message[1]))
    if undo and can_edit and st.button(f"↩️ {t('vp.undo', lang)}: {undo[2]}", key="vp_undo_button"):
        st.session_state.pop("vp_undo")
        run(lambda: vp.restore(db, org, undo[0], expected_version=undo[1]), lang, t("vp.restored", lang))
        st.rerun()

items = vp.list_items(db, org, layers=shown_layers)
vocab = {v: labels(v, lang) for v in ("layer", "kind", "target_group", "language", "wheelchair")}
clicked = st.session_state.get("vp_point")
col_map, col_side = st.columns([3, 2], gap="medium")

with col_map:
    groups = maps.item_layers(items, lang=lang, labels=vocab)
    if clicked:
        groups.append(maps.clicked_marker(*clicked))
    base = common.new_map(common.SCOPE_COMMUNE, 0, lang, False, mark=True)  # a place's popup: "Markeer als vindplaats"
    focus = st.session_state.get("vp_focus")  # a place picked by search or from a popup: the map shows it, closely
    result = st_folium(
        base, key="vp_map", height=600, use_container_width=True, returned_objects=["last_clicked"], feature_group_to_add=groups or None,
        center=focus, zoom=maps.FOCUS_ZOOM if focus else None,
    )
    last = (result or {}).get("last_clicked")
    if last and (last["lat"], last["lng"]) != st.session_state.get("vp_last_click"):
        st.session_state["vp_last_click"] = (last["lat"], last["lng"])
        st.session_state["vp_point"] = (last["lat"], last["lng"])
        st.rerun()
    st.caption(formats.plural("plural.org_places", len(items), lang))

with col_side:
    tab_new, tab_edit, tab_history, tab_exchange = st.tabs(
        [t(f"vp.tab.{k}", lang) for k in ("new", "edit", "history", "exchange")], key=f"vp_tab_{lang}", on_change="rerun"
    )

    if not can_edit:  # a viewer: the map and the history, no form that would change them
        for tab in (tab_new, tab_edit, tab_exchange):
            tab.info(t("auth.read_only", lang, role=t(f"auth.role.{org.role}", lang)))
    else:
        with tab_new:
            form_key = f"vp_new_{st.session_state.setdefault('vp_new_form', 0)}"  # a new number = an empty form
            query = st.text_input(t("vp.search", lang), key="vp_search")
            if query.strip():
                found = vp.search_locations(common.embedded_commune(), query, lang=lang).set_index("id", drop=False)  # the map's area
                if len(found):
                    # Picked by the place's id; each label is unique (several places share a name) and says where it is.
                    options = common.hit_labels(found, lang)
                    chosen = common.selectbox(t("vp.search.pick", lang), list(options), format_func=options.get, key="vp_search_pick")
                    if st.session_state.get("vp_search_used") != chosen:
                        st.session_state["vp_search_used"] = chosen
                        prefill(found.loc[chosen], form_key)
                        st.rerun()
            if clicked:
                st.info(escape_markdown(common.clicked_text(lang, "vp.chosen", *clicked)))
            else:
                st.info(t("vp.click", lang))
            new_layer = pick(t("item.layer", lang), "layer", lang, key="vp_new_layer")
            with st.form("vp_new"):  # not cleared on submit: a refused save keeps what was typed
                fields = item_fields(lang, new_layer, prefix=form_key)
                submitted = st.form_submit_button(t("vp.save", lang), type="primary", disabled=not clicked)
            if submitted and clicked:
                osm = st.session_state.get("vp_new_osm")
                osm_id = osm[0] if osm and tuple(osm[1]) == tuple(clicked) else None  # only while the point is that place's

                def add() -> vp.Item:
                    return vp.add(db, org, layer=new_layer, lon=clicked[1], lat=clicked[0], bounds=bounds, osm_place_id=osm_id, **fields)

                if run(add, lang, t("vp.added", lang), form=form_key):
                    for key in ("vp_point", "vp_new_osm"):
                        st.session_state.pop(key, None)
                    st.session_state["vp_new_form"] += 1
                st.rerun()

        with tab_edit:
            if items.empty:
                st.info(t("vp.none", lang))
            else:
                names = {row.id: f"{row.name} — {vocab['layer'][row.layer]}" for row in items.itertuples()}
                item_id = common.selectbox(t("vp.pick", lang), list(names), format_func=names.get, key="vp_edit_pick")
                item = vp.get(db, org, item_id)
                # The version this form was shown with: an edit made elsewhere since is refused, not overwritten.
                versions = st.session_state.setdefault("vp_versions", {})
                version = versions.setdefault(item_id, item.version)
                with st.form(f"vp_edit_{item_id}_{version}"):
                    edit_layer = pick(t("item.layer", lang), "layer", lang, value=item.layer, key=f"vp_edit_layer_{item_id}_{version}")
                    changes = item_fields(lang, edit_layer, item=item, prefix=f"vp_edit_{item_id}_{version}")
                    saved = st.form_submit_button(t("vp.save", lang), type="primary")
                if saved:
                    def save() -> vp.Item:
                        changed = vp.update(db, org, item_id, expected_version=version, layer=edit_layer, **changes)
                        versions[item_id] = changed.version
                        return changed

                    run(save, lang, t("vp.saved", lang), form=f"vp_edit_{item_id}_{version}")
                    st.rerun()
                col_move, col_delete = st.columns(2)
                if col_move.button(t("vp.move", lang), disabled=not clicked, key="vp_move"):
                    def move() -> vp.Item:
                        moved = vp.move(db, org, item_id, lon=clicked[1], lat=clicked[0], bounds=bounds, expected_version=version)
                        versions[item_id] = moved.version
                        return moved

                    run(move, lang, t("vp.moved", lang))
                    st.rerun()
                if col_delete.button(t("vp.delete", lang), key="vp_delete"):
                    def delete() -> vp.Item:
                        gone = vp.delete(db, org, item_id, expected_version=version)
                        st.session_state["vp_undo"] = (gone.id, gone.version, gone.name)
                        versions.pop(item_id, None)
                        return gone

                    run(delete, lang, t("vp.deleted", lang))
                    st.rerun()
                if st.button(t("vp.reload", lang), key="vp_reload"):
                    versions.pop(item_id, None)
                    st.rerun()

    with tab_history:
        log = vp.history(db, org)
        if len(log):
            log["user"] = accounts.shown_users(db, org.organisation_id, log["user"])  # the history keeps the user's id
            st.dataframe(vp.history_table(log, lang=lang), hide_index=True)
        months = erasure.retention_months()
        st.caption(t("vp.retention", lang, months=months) if months else t("vp.retention.none", lang))
        if org.can(accounts.CITIZENS_ERASE):  # purging is for the coordinator only (the package checks it too)
            purge_block()

    with tab_exchange:
        upload = import_layer = None
        if can_edit:
            upload = st.file_uploader(t("vp.import.file", lang), type=["geojson", "json", "csv", "kml", "gpx", "gpkg"], key="vp_upload")
            import_layer = pick(t("vp.import.layer", lang), "layer", lang, key="vp_import_layer")
        if upload is not None and st.button(t("vp.import.button", lang), key="vp_import"):
            st.session_state.pop("vp_undo", None)
            with st.spinner(t("load.busy", lang)):
                try:
                    report = exchange.import_upload(
                        db, org, upload.getvalue(), filename=upload.name, layer=import_layer, bounds=bounds
                    )
                except BuurtkaartError as error:
                    st.session_state["vp_message"] = ("error", error.message(lang))
                else:
                    st.session_state["vp_message"] = ("success", formats.plural("plural.imported", report.added, lang, name=upload.name))
            st.rerun()
        if org.can(accounts.EXPORT):
            fmt = common.selectbox(t("vp.export.format", lang), list(EXPORT_FORMATS), key="vp_export_format")
            suffix = EXPORT_FORMATS[fmt]
            st.download_button(
                t("vp.export.button", lang),
                lambda: exchange.export_bytes(db, org, suffix=suffix, layers=shown_layers),  # made on click, not on every run
                file_name=common.download_name("vindplaatsen", lang, common.organisation_name(db, org, lang), suffix=suffix),
                key="vp_export",
            )
        else:
            st.caption(t("auth.export_needed", lang, role=t(f"auth.role.{org.role}", lang)))
