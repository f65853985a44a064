"""The judge: runs untrusted SQL against test cases and reports per-case results.

Nothing in this package imports Flask: web processes and standalone judge
workers share it unchanged.
"""
