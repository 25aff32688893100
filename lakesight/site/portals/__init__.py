"""The portals: one self-contained, offline folder per active principal, and its zip.

portals/<slug>/index.html               the principal's name, the as-of date of its data, links
portals/<slug>/dashboards/              its dashboard pages and SVGs (consume/dashboards)
portals/<slug>/notebooks/<name>.html    its executed notebooks (consume/notebooks)
portals/<slug>/profiles/                its secure datasets' profiles (consume/profiles)
portals/<slug>/vendor/                  vega, vega-lite, vega-embed and the world map, copied in
portals/<slug>.zip                      the same folder, zipped byte for byte reproducibly

`<slug>` is the stem of the principal's extract file (lakesight.security.extracts.extract_file).
Everything is made from that principal's extract only; every link stays inside the folder
(docs/security.md, "Who may be given what").
"""
