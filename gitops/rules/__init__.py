"""The rule model every engine shares (lint, validate, drift): the rule record and registry,
typed rule options, generated rule docs, and the case files each rule is documented and
tested by. Engines and reporters import it; it imports only ``k8s`` and the base modules.
"""
