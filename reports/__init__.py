"""The Streamlit dashboard. It only reads the published warehouse's marts."""
