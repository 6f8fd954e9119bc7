"""The audit journal's entries and chain: what is recorded, and how tampering is found."""
