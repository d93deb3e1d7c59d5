"""Multilayer alliance networks, hub-and-spoke versus lattice metrics, UN voting blocs and
a de facto alliance score."""
