# Sieve filter
# Bea's new filter, not installed yet: the co-op checks members' filters before it
# installs them. (This draft lacks a semicolon: its spec shows what Exim says.)
require ["fileinto"];
if header :contains "subject" "flour order" {
  fileinto "Orders"
}
