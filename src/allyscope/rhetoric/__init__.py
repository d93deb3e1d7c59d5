"""What states say at the UN General Debate: mentions, tone, themes, similarity, positions."""
