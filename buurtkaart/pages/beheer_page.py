"""Beheer: the organisation's audit log for the coordinator (who viewed, changed, erased or exported what, and when)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from buurtkaart import accounts, audit
from buurtkaart.i18n import t
from buurtkaart.pages import common

SHOWN_DAYS = 30  # the log opens on the last month
SHOWN_MAX = 1000

lang = common.lang()
db = common.store()
org = common.organisation(lang, db, accounts.AUDIT_READ)  # a coordinator of the signed-in user's organisation

st.title(f"🛡️ {t('page.beheer', lang)}")
st.subheader(t("audit.title", lang))
st.caption(t("audit.caption", lang))
since = st.date_input(t("audit.since", lang), value=date.today() - timedelta(days=SHOWN_DAYS), max_value=date.today(), key="audit_since")
events = audit.events(db, org, since=since, limit=SHOWN_MAX)
events["user"] = accounts.shown_users(db, org.organisation_id, events["user"])  # rows keep the account id
if events.empty:
    st.info(t("audit.empty", lang))
else:
    st.dataframe(audit.shown(events, lang=lang), hide_index=True)
    st.download_button(
        t("audit.download", lang), audit.csv_text(events), file_name=common.download_name("audit", lang, common.organisation_name(db, org, lang), suffix=".csv"), mime="text/csv", key="audit_download"
    )
