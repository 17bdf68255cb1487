"""`thermidor explore`: the model in the browser, a Solara app (the framework of Mesa's SolaraViz).

command.py   the command: checks the host and port, then starts Solara's server
settings.py  what a user can set: the key parameters (one list, by key path), strategies
session.py   a live model built from the settings; the nuclei map's numbers
live.py      the live tab: controls, date, plots, nuclei map, counts, the seven answers
charts.py    the live tab's line charts, as inline SVG (a millisecond a frame)
text.py      text as HTML (Solara's Markdown would fetch KaTeX from a CDN)
stored.py    the second tab: a stored run, experiment or report
app.py       the page: the two tabs
"""
