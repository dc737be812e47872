"""Exim itself: finding the binary, checking what reaches it, its options (binary,
configuration, macros, network), the sandbox of each run, and what its last words mean."""
