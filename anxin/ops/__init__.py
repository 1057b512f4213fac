"""The top layer: what runs the house rather than being part of it. The deadline runner that
calls each app's own runner in turn, and the management commands (demo, verify, badge, law,
draw, ledger, deadlines). It may import every app; no app imports it."""
