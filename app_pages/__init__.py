"""The Streamlit app's pages and the helpers only the app uses (see app.py)."""
