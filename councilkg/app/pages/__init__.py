"""The app's pages, one script each, run by ``st.navigation`` (see ``councilkg.app.navigation``).

A page only shows: what it shows comes from councilkg's tested modules (explore, query).
"""
