"""Writes of the LTI tool: keys and platform registrations (`platforms`), launches (`launches`), grades sent back
(`grades`) and the roster read from the platform (`roster`)."""
