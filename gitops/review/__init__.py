"""Pull-request review: the semantic diff of rendered objects between two revisions, and the
identity of findings across revisions (for ``--new-since`` and baselines).

Pure functions over loaded objects (imports k8s, rules and findings only), plus ``git``: the
one module that runs git.
"""
