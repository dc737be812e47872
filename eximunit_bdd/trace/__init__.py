"""What Exim writes to stderr in its test modes, read: `LOG:` lines, the headers the
ACLs add, the ACL variables they set, and the ACL runs (which statement decided)."""
