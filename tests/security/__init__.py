"""Security review tests: attacks that are blocked (plain tests) and open findings (strict xfail,
each naming the file, the flaw and the fix)."""
