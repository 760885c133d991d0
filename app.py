"""The Streamlit app's entry point: ``streamlit run app.py`` (``make run`` does it for you)."""

from councilkg.app.pages_legacy import main

main()
