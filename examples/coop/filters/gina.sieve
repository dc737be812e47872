# Sieve filter
# gina@garden.test's own filter, uploaded from her mail program: lottery mail is
# thrown away, the seed-swap newsletter filed in a folder of its own.
require ["fileinto"];
if header :contains "subject" "lottery" {
  discard;
  stop;
}
if header :contains "list-id" "seed-swap" {
  fileinto "Newsletters";
}
