"""Where Exim and the fakes talk: free loopback ports, and a private network (Linux
namespaces) whose DNS is the fake DNS."""
