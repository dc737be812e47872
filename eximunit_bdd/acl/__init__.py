"""The ACLs as written in the configuration: statements quoted for failure messages,
the decision told with its text, and ACL coverage."""
