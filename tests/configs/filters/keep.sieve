# Sieve filter
# Nothing matches: the implicit keep delivers the message as normal.
require ["fileinto"];
if header :contains "subject" "Urgent" {
  fileinto "urgent";
}
