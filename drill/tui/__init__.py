"""The terminal interface: the live drill, the players' screen and the replay (Textual)."""
