"""Reads, returning what their pages show already joined: reports (who may see which, the
clerk's and the county's lists), review (comments, rounds compared), scores (rankings, histories)."""
