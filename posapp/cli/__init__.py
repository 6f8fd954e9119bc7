"""The ``posapp`` command line: one module per group of commands, one error boundary
(``boundary.main``). It never imports the window; the entry point hands one in."""
