"""HTTP routes, one module per screen."""
