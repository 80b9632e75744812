"""Online payment: the provider interface (`providers`) and the loopback fake provider used in tests (`fake`)."""
