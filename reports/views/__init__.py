"""The portal's pages, by audience: clerk (the township's own work), review (the county's work on
reports), overview (counties and the admin's view of all), scores, public (no log-in)."""
