"""Live mode: a real Exim daemon per scenario in its private network, the client that
talks to it over TCP (and TLS), the throwaway certificates, and what the daemon left in
its spool and logs. Nothing is delivered: the daemon queues only (`-odq -N`)."""
