"""The city model and the scenario language: validated, frozen descriptions of a drill."""
