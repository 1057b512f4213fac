"""Money going back to a buyer, what a seller then owes, and the guarantee fund behind both."""
