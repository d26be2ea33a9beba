"""The real-server benchmark of sst.so (C module vs sst-rs); run.py is its command."""
