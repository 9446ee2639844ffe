"""One adapter per peer: its expectations, turned into cases our findings can be judged by."""
