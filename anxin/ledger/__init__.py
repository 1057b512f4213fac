"""Double-entry money in integer fen: accounts, transfers, two-phase escrow holds."""
