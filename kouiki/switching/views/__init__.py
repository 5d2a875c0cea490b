"""The switching system's screens (namespace "sw", mounted at /switching/): one module per 業務
group. Views parse input, call one service or selector, and render. Each screen is written once
for every line (低圧 / 高圧 / 低圧FIT電源, services/lines.py) and served under its tab (urls.py,
views/common.py)."""
