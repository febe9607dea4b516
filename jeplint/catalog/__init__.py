"""Offline permission catalogues, each loaded on first use (a scan that needs none pays nothing)."""
