"""Operators: roles and permissions, secrets, sign-in with lockout, and operator management."""
