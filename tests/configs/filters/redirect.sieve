# Sieve filter
# A redirect and a fileinto cancel the implicit keep.
require ["fileinto"];
if header :contains "subject" "Hello" {
  redirect "bob@shop.test";
  fileinto "archive";
}
