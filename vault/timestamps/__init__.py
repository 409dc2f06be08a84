"""Proof of time: RFC 3161 time-stamp tokens over the custody chain, carried by hand (issue 17)."""
