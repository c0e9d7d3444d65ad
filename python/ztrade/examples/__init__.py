"""Example strategies shipped with ztrade."""
