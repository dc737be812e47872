# Sieve filter
# A missing semicolon: Exim says so, then files the message into the inbox.
if header :contains "subject" "Hello" {
  redirect "bob@shop.test"
}
