"""What Exim writes to stderr in its test modes, read: `LOG:` lines, the headers the
ACLs add, and the ACL runs (which statement decided)."""
