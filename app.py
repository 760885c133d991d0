"""The Streamlit app's entry script: ``streamlit run app.py`` (``make run`` does it for you)."""

from councilkg.app.main import run

run()
