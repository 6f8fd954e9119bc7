"""posapp: a card-safe point-of-sale and billing client."""
