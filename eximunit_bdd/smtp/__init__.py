"""The SMTP conversation: replies, the transcript, test messages, expectations, and
`EximSession`, which talks through a `Channel` (`exim -bh` pipes, or a script in
unit tests)."""
