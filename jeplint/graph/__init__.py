"""Step 3 of the pipeline: the permission graph (see `model.py`) and the extractors that build it."""
