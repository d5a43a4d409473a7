"""Security review tests: each attack is shown to be blocked. The findings of the first review
(HR signing in as staff it adds, parallel guesses past the lockout, a spoofable proxy header,
server paths in API answers, names differing only in case, an over-long CSV row, email
enumeration, an unaudited recording, deeply nested JSON) are fixed; their tests guard the fixes."""
