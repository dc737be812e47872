"""Log replay: Exim's main and reject logs read into the SMTP decisions they record,
replayed as `exim -bh` sessions against a new configuration (and an old one), and
every decision that would change shown (`eximunit-bdd replay`)."""
