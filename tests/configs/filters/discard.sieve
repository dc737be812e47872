# Sieve filter
if header :contains "subject" "Hello" {
  discard;
  stop;
}
