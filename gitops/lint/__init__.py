"""The linter: rules over the object graph, selected and configured by settings."""
