"""Hypothesis profiles for the SLA tests.

``pytest --hypothesis-profile=mutation tests/sla`` runs each property with a tenth of
its examples: the mutation tool runs these tests once per mutant.
"""

from hypothesis import settings

settings.register_profile("mutation", max_examples=10, deadline=None)
