"""``meshdash preview``: every dashboard drawn with real data, before it reaches Grafana.

The pipeline, one small module per step:

- :mod:`.choose`: the variable values shown (``--var`` choices, else Grafana's
  defaults), from validate's resolution of every variable;
- :mod:`.layout`: repeated rows expanded and every panel placed on Grafana's
  24-column grid;
- :mod:`.fetch`: each panel's queries run over the range at Grafana's step;
- :mod:`.units` and :mod:`.draw`: the panels drawn by type with matplotlib (Agg);
- :mod:`.html`: one self-contained page per dashboard and an index;
- :mod:`.run`: the whole of it for one dashboard, and the files written.

matplotlib is an optional extra (``pip install 'meshdash[preview]'``); only
:mod:`.draw` imports it.
"""
