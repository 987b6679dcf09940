"""Pure domain logic: plain values in, plain values out. No Flask, no SQLAlchemy."""
