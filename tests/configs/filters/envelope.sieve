# Sieve filter
# The envelope as -bfl/-bfd (to) and -f (from) set it; an explicit keep.
require ["envelope", "copy"];
if envelope :is "to" "joe@coop.test" {
  redirect :copy "joe@shop.test";
}
if envelope :is "from" "x@y.test" {
  redirect "from-x@shop.test";
  keep;
}
