"""The Qt client. Only this package imports Qt; it calls the same services as the CLI."""
