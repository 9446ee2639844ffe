"""One module per verb: each wires settings to the stages below and returns an exit code.

``cli`` parses flags and calls these; nothing here parses YAML, renders, or prints findings
itself (``render``, ``lint``, ``validate`` and ``report`` do).
"""
