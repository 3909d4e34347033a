"""The drill's widgets: each renders from the view-model and holds no state of the drill."""
