"""The pages of the integrations app, one module per concern."""
