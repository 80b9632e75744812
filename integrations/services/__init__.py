"""Services of the integrations app: outgoing webhooks and API keys."""
