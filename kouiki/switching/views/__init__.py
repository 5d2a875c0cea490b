"""The switching system's screens (namespace "sw", mounted at /switching/): one module per 業務
group. Views parse input, call one service or selector, and render; the tabs 低圧 / 高圧 / FIT
frame every screen."""
