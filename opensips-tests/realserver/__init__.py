"""Real-server test support for sst.so (see ../run.py)."""
