"""Thin Streamlit pages: they call buurtkaart.* and show the results."""
