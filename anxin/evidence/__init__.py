"""The append-only evidence log: RFC 9162 Merkle trees, C2SP checkpoints and tiles, vouchers."""
